/** Hunt: Sigma rule text over the stored events (the API's own query language), optionally within a pivot. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { post } from '../api';
import { download, toCsv } from '../csv';
import { text, utc } from '../format';
import type { Detection } from '../types';
import { Level, Problem, Section, useAction } from '../ui';
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

const SAVED_KEY = 'vigil.hunts';

interface SavedHunt {
  name: string;
  rule: string;
  host: string;
  from: string;
  to: string;
}

/** Hunts saved in this browser (a shared, server-side list is not built yet). */
function savedHunts(): SavedHunt[] {
  try {
    const v = JSON.parse(localStorage.getItem(SAVED_KEY) ?? '[]') as unknown;
    return Array.isArray(v)
      ? (v as SavedHunt[]).filter((h) => typeof h.name === 'string' && typeof h.rule === 'string')
      : [];
  } catch {
    return [];
  }
}

export function HuntPage(): ReactNode {
  const [rule, setRule] = useState(EXAMPLE);
  const [host, setHost] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [name, setName] = useState('');
  const [saved, setSaved] = useState(savedHunts);
  const [result, setResult] = useState<HuntResult | undefined>();
  const [selected, setSelected] = useState<Detection | undefined>();
  const action = useAction();
  const run = (e: FormEvent) => {
    e.preventDefault();
    const within: Record<string, string> = {};
    if (host) within.host = host;
    if (from) within.from = from;
    if (to) within.to = to;
    action.run(() =>
      post<HuntResult>('/api/hunts', { rule, ...(Object.keys(within).length ? { within } : {}) }).then(
        setResult,
      ),
    );
  };
  const save = () => {
    if (!name.trim()) return;
    const next = [
      ...saved.filter((h) => h.name !== name.trim()),
      { name: name.trim(), rule, host, from, to },
    ];
    localStorage.setItem(SAVED_KEY, JSON.stringify(next));
    setSaved(next);
  };
  const load = (h: SavedHunt) => {
    setRule(h.rule);
    setHost(h.host);
    setFrom(h.from);
    setTo(h.to);
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
            {saved.map((h) => (
              <button key={h.name} type="button" className="chip" onClick={() => load(h)}>
                {h.name}
              </button>
            ))}
          </div>
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
