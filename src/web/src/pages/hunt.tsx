/** Hunt: Sigma rule text over the stored events (the API's own query language), optionally within a pivot. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { del, get, post } from '../api';
import { download, toCsv } from '../csv';
import { text, utc } from '../format';
import type { Detection } from '../types';
import { Level, Problem, Section, useAction, useLoad } from '../ui';
import { DetectionDrawer } from './detections';

const EXAMPLE = `title: PowerShell with an encoded command
logsource:
  product: windows
detection:
  selection:
    CommandLine|contains: ' -enc'
  condition: selection
level: medium
`;

interface HuntResult {
  scanned: number;
  truncated: boolean;
  detections: Detection[];
  problems: Record<string, unknown>[];
}

interface SavedHunt {
  id: string;
  name: string;
  rule: string;
  within: { host?: string; from?: string; to?: string };
  createdBy: string;
  createdAt: number;
}

export function HuntPage(): ReactNode {
  const [rule, setRule] = useState(EXAMPLE);
  const [host, setHost] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [name, setName] = useState('');
  const saved = useLoad(() => get<SavedHunt[]>('/api/hunts/saved'), 'saved-hunts');
  const [result, setResult] = useState<HuntResult | undefined>();
  const [selected, setSelected] = useState<Detection | undefined>();
  const action = useAction();
  const within = (): Record<string, string> => {
    const w: Record<string, string> = {};
    if (host) w.host = host;
    if (from) w.from = from;
    if (to) w.to = to;
    return w;
  };
  const run = (e: FormEvent) => {
    e.preventDefault();
    const w = within();
    action.run(() =>
      post<HuntResult>('/api/hunts', { rule, ...(Object.keys(w).length ? { within: w } : {}) }).then(
        setResult,
      ),
    );
  };
  const save = () => {
    if (!name.trim()) return;
    action.run(() =>
      post('/api/hunts/saved', { name: name.trim(), rule, within: within() }).then(saved.reload),
    );
  };
  const load = (h: SavedHunt) => {
    setRule(h.rule);
    setHost(h.within.host ?? '');
    setFrom(h.within.from ?? '');
    setTo(h.within.to ?? '');
    setName(h.name);
  };
  return (
    <>
      <h1>Hunt</h1>
      <Section title="Query">
        <form onSubmit={run} aria-label="Hunt">
          <label>
            Sigma rule (one or more YAML documents)
            <textarea
              name="rule"
              className="code"
              rows={12}
              value={rule}
              onChange={(e) => setRule(e.target.value)}
              spellCheck={false}
            />
          </label>
          <div className="row">
            <label>
              Host <input name="host" value={host} onChange={(e) => setHost(e.target.value)} />
            </label>
            <label>
              From (UTC) <input name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label>
              To (UTC) <input name="to" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
            <button type="submit" disabled={action.busy}>
              {action.busy ? 'Hunting…' : 'Run'}
            </button>
          </div>
          <div className="row">
            <label>
              Save as <input name="hunt-name" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <button type="button" onClick={save} disabled={!name.trim()}>
              Save hunt
            </button>
          </div>
          <ul className="plain saved" aria-label="Saved hunts">
            {(saved.data ?? []).map((h) => (
              <li key={h.id}>
                <button type="button" className="chip" onClick={() => load(h)}>
                  {h.name}
                </button>{' '}
                <span className="muted small">
                  {h.createdBy}, {utc(h.createdAt)}
                </span>{' '}
                <button
                  type="button"
                  className="small"
                  aria-label={`Delete the saved hunt ${h.name}`}
                  onClick={() =>
                    action.run(() => del(`/api/hunts/saved/${encodeURIComponent(h.id)}`).then(saved.reload))
                  }
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        </form>
        <Problem error={action.error} />
      </Section>
      {result && (
        <Section
          title={`Results: ${result.detections.length} of ${result.scanned.toLocaleString('en')} events scanned${result.truncated ? ' (stopped early: narrow the host or time)' : ''}`}
          actions={
            <button
              type="button"
              onClick={() =>
                download(
                  'hunt.csv',
                  toCsv(
                    ['time', 'level', 'rule', 'host', 'fields'],
                    result.detections.map((d) => [
                      d.timestamp,
                      d.level,
                      d.ruleTitle,
                      d.host ?? '',
                      text(d.fields),
                    ]),
                  ),
                )
              }
            >
              Export CSV
            </button>
          }
        >
          {result.problems.length > 0 && (
            <ul className="problem">
              {result.problems.map((p, n) => (
                <li key={n}>
                  {Object.entries(p)
                    .map(([k, v]) => `${k}: ${text(v)}`)
                    .join(' · ')}
                </li>
              ))}
            </ul>
          )}
          <table aria-label="Hunt results">
            <thead>
              <tr>
                <th>time</th>
                <th>level</th>
                <th>rule</th>
                <th>host</th>
                <th>fields</th>
              </tr>
            </thead>
            <tbody>
              {result.detections.map((d) => (
                <tr
                  key={d.id}
                  tabIndex={0}
                  onClick={() => setSelected(d)}
                  onKeyDown={(e) => e.key === 'Enter' && setSelected(d)}
                  className="clickable"
                >
                  <td>{utc(d.timestamp)}</td>
                  <td>
                    <Level level={d.level} />
                  </td>
                  <td>{d.ruleTitle}</td>
                  <td>{d.host ?? ''}</td>
                  <td className="clip">
                    {Object.entries(d.fields)
                      .map(([k, v]) => `${k}=${text(v)}`)
                      .join('  ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      {selected && <DetectionDrawer detection={selected} onClose={() => setSelected(undefined)} />}
    </>
  );
}
