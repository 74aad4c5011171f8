/** Commands report their outcome through this: 0 fine, 1 findings or failed checks, 2 usage or fatal error. */
export type SetExit = (code: number) => void;
