/**
 * Field names come from the evidence, so from the attacker: `__proto__` as a CSV column or a
 * `<Data Name>` must be a field like any other, not a change of the object's prototype, and
 * `toString` must not be found on every object.
 */
export function putField<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

export const hasField = (target: object, key: string): boolean => Object.hasOwn(target, key);
