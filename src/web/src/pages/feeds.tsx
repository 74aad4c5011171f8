/** Feeds: the configured feeds with their last run (run one now), a report uploaded by hand, recent runs, events. */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { get, post, query, upload } from '../api';
import { errorText, text, utc } from '../format';
import { href } from '../router';
import { useSession } from '../session';
import { IssueCount, IssueRow, Loading, Problem, Section, Status, useAction, useLoad } from '../ui';

interface FeedRun {
  id: string;
  feed: string;
  startedAt: number;
  finishedAt: number | null;
  status: string;
  records: number;
  events: number;
  duplicates: number;
  stored: number;
  issues: number;
  casesOpened: number;
  casesJoined: number;
  issueSamples: Record<string, unknown>[];
  message: string | null;
}
interface Feed {
  name: string;
  parser: string | null;
  url: string | null;
  everyMinutes: number | null;
  lastRun: FeedRun | null;
}
interface Parser {
  name: string;
  title: string;
  provider: string;
}
interface FeedEvent {
  id: string;
  feed: string;
  observedAt: number;
  sourceTime: number | null;
  lastSeen: number;
  duplicates: number;
  taxonomy: string;
  type: string;
  sourceIp: string | null;
  organisation: string;
  country: string | null;
  caseId: string | null;
  fields: Record<string, string | number | boolean>;
}

export function FeedsPage(): ReactNode {
  const session = useSession();
  const feeds = useLoad(() => get<{ parsers: Parser[]; feeds: Feed[] }>('/api/feeds'), 'feeds');
  const runs = useLoad(() => get<FeedRun[]>('/api/feeds/runs?limit=20'), 'runs');
  const events = useLoad(() => get<FeedEvent[]>('/api/feeds/events?limit=100'), 'events');
  const action = useAction();
  const changed = () => {
    feeds.reload();
    runs.reload();
    events.reload();
  };
  const mayUpload = session.can('evidence:upload');
  return (
    <>
      <h1>Feeds</h1>
      <Section title="Configured feeds">
        <Problem error={feeds.error ?? action.error} />
        {!feeds.data ? (
          <Loading what="feeds" />
        ) : feeds.data.feeds.length === 0 ? (
          <p className="muted">No feed is configured (vigil serve --feeds); reports can still be uploaded.</p>
        ) : (
          <table aria-label="Feeds">
            <thead>
              <tr>
                <th>feed</th>
                <th>parser</th>
                <th>every</th>
                <th>last run</th>
                <th>status</th>
                <th className="num">events</th>
                <th className="num">issues</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {feeds.data.feeds.map((f) => (
                <tr key={f.name}>
                  <td title={f.url ?? ''}>{f.name}</td>
                  <td>{f.parser ?? 'sniffed'}</td>
                  <td>{f.everyMinutes === null ? 'by hand' : `${f.everyMinutes} min`}</td>
                  <td>{f.lastRun ? utc(f.lastRun.startedAt) : 'never'}</td>
                  <td>{f.lastRun && <Status status={f.lastRun.status} />}</td>
                  <td className="num">{f.lastRun?.events ?? ''}</td>
                  <td className="num" title={f.lastRun?.issueSamples.map((i) => text(i)).join('\n') ?? ''}>
                    {f.lastRun?.issues ?? ''}
                  </td>
                  <td>
                    {mayUpload && (
                      <button
                        type="button"
                        disabled={action.busy}
                        onClick={() =>
                          action.run(() => post(`/api/feeds/${encodeURIComponent(f.name)}/run`).then(changed))
                        }
                      >
                        Run now
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {mayUpload && feeds.data && (
        <Upload feeds={feeds.data.feeds} parsers={feeds.data.parsers} onUploaded={changed} />
      )}
      <Section title="Recent runs">
        <Problem error={runs.error} />
        <RunTable runs={runs.data ?? []} />
      </Section>
      <Section title={`Events (${events.data?.length ?? 0}, newest first)`}>
        <Problem error={events.error} />
        <EventTable events={events.data ?? []} />
      </Section>
    </>
  );
}

function Upload({
  feeds,
  parsers,
  onUploaded,
}: {
  feeds: readonly Feed[];
  parsers: readonly Parser[];
  onUploaded: () => void;
}): ReactNode {
  const input = useRef<HTMLInputElement>(null);
  const [feed, setFeed] = useState('');
  const [parser, setParser] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<FeedRun | undefined>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setError('Choose a report file.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    const q = feed ? query({ feed }) : query({ parser });
    upload<FeedRun>(`/api/feeds/upload${q}`, [file], () => undefined).then(
      (run) => {
        setBusy(false);
        setDone(run);
        if (input.current) input.current.value = '';
        onUploaded();
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  };
  return (
    <Section title="Upload a feed report">
      <form onSubmit={submit} className="row" aria-label="Upload a feed report">
        <label>
          Report file
          <input ref={input} type="file" name="report" />
        </label>
        <label>
          Feed{' '}
          <select name="feed" value={feed} onChange={(e) => setFeed(e.target.value)}>
            <option value="">none (upload)</option>
            {feeds.map((f) => (
              <option key={f.name}>{f.name}</option>
            ))}
          </select>
        </label>
        <label>
          Parser{' '}
          <select
            name="parser"
            value={parser}
            disabled={feed !== ''}
            onChange={(e) => setParser(e.target.value)}
          >
            <option value="">sniff from the file</option>
            {parsers.map((p) => (
              <option key={p.name} value={p.name}>
                {p.title} ({p.provider})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Upload and take in
        </button>
      </form>
      {done && (
        <p className="ok" role="status">
          Taken in: run {done.id} is {done.status}: {done.records} records, {done.events} events,{' '}
          {done.issues} issues.
        </p>
      )}
      <Problem error={error} />
    </Section>
  );
}

function RunTable({ runs }: { runs: readonly FeedRun[] }): ReactNode {
  const [open, setOpen] = useState<string | undefined>();
  if (runs.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <table aria-label="Feed runs">
      <thead>
        <tr>
          <th>started</th>
          <th>feed</th>
          <th>status</th>
          <th className="num">records</th>
          <th className="num">events</th>
          <th className="num">duplicates</th>
          <th className="num">stored</th>
          <th className="num">issues</th>
          <th className="num">cases opened</th>
          <th className="num">cases joined</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <RunRow
            key={r.id}
            run={r}
            open={open === r.id}
            toggle={() => setOpen(open === r.id ? undefined : r.id)}
          />
        ))}
      </tbody>
    </table>
  );
}

function RunRow({ run, open, toggle }: { run: FeedRun; open: boolean; toggle: () => void }): ReactNode {
  return (
    <>
      <tr>
        <td>{utc(run.startedAt)}</td>
        <td>{run.feed}</td>
        <td title={run.message ?? ''}>
          <Status status={run.status} />
        </td>
        <td className="num">{run.records}</td>
        <td className="num">{run.events}</td>
        <td className="num">{run.duplicates}</td>
        <td className="num">{run.stored}</td>
        <td className="num">
          <IssueCount count={run.issues} open={open} toggle={toggle} />
        </td>
        <td className="num">{run.casesOpened}</td>
        <td className="num">{run.casesJoined}</td>
      </tr>
      {open && <IssueRow samples={run.issueSamples} columns={10} />}
    </>
  );
}

function EventTable({ events }: { events: readonly FeedEvent[] }): ReactNode {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <table className="compact" aria-label="Feed events">
      <thead>
        <tr>
          <th>observed</th>
          <th>feed</th>
          <th>taxonomy / type</th>
          <th>source IP</th>
          <th>organisation</th>
          <th>country</th>
          <th className="num">duplicates</th>
          <th>case</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id}>
            <td>{utc(e.sourceTime ?? e.observedAt)}</td>
            <td>{e.feed}</td>
            <td>
              {e.taxonomy} / {e.type}
            </td>
            <td className="code">{e.sourceIp ?? ''}</td>
            <td>{e.organisation}</td>
            <td>{e.country ?? ''}</td>
            <td className="num">{e.duplicates}</td>
            <td>{e.caseId ? <a href={href(['cases', e.caseId])}>case</a> : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
