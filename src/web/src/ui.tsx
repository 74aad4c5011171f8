/** Small shared pieces: loading data into a view, error and empty states, labelled badges. */
import { Component, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { errorText, text } from './format';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Runs `load` when `key` changes (and on reload()); a late answer for an old key is dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (e: unknown) => live && setState({ data: undefined, error: errorText(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function Problem({ error }: { error: string | undefined }): ReactNode {
  if (!error) return null;
  return (
    <p className="problem" role="alert">
      {error}
    </p>
  );
}

export function Loading({ what }: { what: string }): ReactNode {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Level({ level }: { level: string }): ReactNode {
  return <span className={`level level-${level.replace(/[^a-z]/g, '')}`}>{level}</span>;
}

export function TlpBadge({ tlp }: { tlp: string }): ReactNode {
  return <span className={`tlp tlp-${tlp.replace(/[^A-Z]/g, '').toLowerCase()}`}>TLP:{tlp}</span>;
}

export function Status({ status }: { status: string }): ReactNode {
  return <span className={`status status-${status.replace(/[^a-z-]/g, '')}`}>{status}</span>;
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}): ReactNode {
  return (
    <section className="panel" aria-label={title}>
      <header className="panel-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** Runs an action from a button: busy while it runs, its error shown beside it. */
export function useAction(): {
  busy: boolean;
  error: string | undefined;
  run: (f: () => Promise<unknown>) => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = useCallback((f: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    f().then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  }, []);
  return { busy, error, run };
}

/** One view's failure stays in that view: it shows what went wrong instead of blanking the page. */
export class Contained extends Component<
  { children: ReactNode; name: string },
  { error: string | undefined }
> {
  override state: { error: string | undefined } = { error: undefined };
  static getDerivedStateFromError(error: unknown): { error: string } {
    return { error: errorText(error) };
  }
  override componentDidUpdate(previous: { name: string }): void {
    if (previous.name !== this.props.name && this.state.error) this.setState({ error: undefined });
  }
  override render(): ReactNode {
    if (this.state.error)
      return (
        <p className="problem" role="alert">
          This view failed: {this.state.error}
        </p>
      );
    return this.props.children;
  }
}

/** An ingest job's or feed run's issue count: a button that opens its sample rows when there are any. */
export function IssueCount({
  count,
  open,
  toggle,
}: {
  count: number;
  open: boolean;
  toggle: () => void;
}): ReactNode {
  return count > 0 ? (
    <button type="button" className="link" aria-expanded={open} onClick={toggle}>
      {count}
    </button>
  ) : (
    0
  );
}

/** The sample issues under a job's or run's row, each as `field: value` text. */
export function IssueRow({
  samples,
  columns,
}: {
  samples: readonly Record<string, unknown>[];
  columns: number;
}): ReactNode {
  return (
    <tr>
      <td colSpan={columns}>
        <ul className="issues" aria-label="Issues">
          {samples.map((i, n) => (
            <li key={n}>
              {Object.entries(i)
                .map(([k, v]) => `${k}: ${text(v)}`)
                .join(' · ')}
            </li>
          ))}
        </ul>
      </td>
    </tr>
  );
}
