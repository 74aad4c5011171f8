/** Rules: search the loaded pack, switch rules on and off, validate rule text, upload a rule. */
import { useState, type ReactNode } from 'react';
import { get, patch, post, query } from '../api';
import { text } from '../format';
import { replaceParams } from '../router';
import { useSession } from '../session';
import type { Rule } from '../types';
import { Level, Loading, Problem, Section, useAction, useLoad } from '../ui';

const PAGE = 100;

export function RulesPage({ params }: { params: URLSearchParams }): ReactNode {
  const session = useSession();
  const q = params.get('q') ?? '';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const [draft, setDraft] = useState(q);
  const rules = useLoad(
    () => get<{ total: number; rules: Rule[] }>(`/api/rules${query({ q, offset, limit: PAGE })}`),
    `${q}|${offset}`,
  );
  const action = useAction();
  const write = session.can('rules:write');
  return (
    <>
      <h1>Rules</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          replaceParams(['rules'], { q: draft });
        }}
      >
        <label>
          Search{' '}
          <input
            name="q"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="title, id or tag"
          />
        </label>
        <button type="submit">Search</button>
      </form>
      <Problem error={rules.error ?? action.error} />
      {!rules.data ? (
        <Loading what="rules" />
      ) : (
        <>
          <p className="muted">
            {rules.data.total.toLocaleString('en')} rules
            {rules.data.total > PAGE
              ? `, ${offset + 1}–${Math.min(offset + PAGE, rules.data.total)} shown`
              : ''}
          </p>
          <table aria-label="Rules">
            <thead>
              <tr>
                <th>on</th>
                <th>title</th>
                <th>level</th>
                <th>log source</th>
                <th>tags</th>
                <th>kind</th>
              </tr>
            </thead>
            <tbody>
              {rules.data.rules.map((r) => (
                <tr key={r.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${r.title} switched on`}
                      checked={r.enabled}
                      disabled={!write || action.busy}
                      onChange={(e) =>
                        action.run(() =>
                          patch(`/api/rules/${encodeURIComponent(r.id)}`, { enabled: e.target.checked }).then(
                            rules.reload,
                          ),
                        )
                      }
                    />
                  </td>
                  <td title={r.file}>
                    {r.title}
                    {r.uploaded ? ' (uploaded)' : ''}
                  </td>
                  <td>
                    <Level level={r.level} />
                  </td>
                  <td>{[r.product, r.category, r.service].filter(Boolean).join(' / ')}</td>
                  <td className="small">{r.tags.join(', ')}</td>
                  <td>{r.kind}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button
              type="button"
              disabled={offset === 0}
              onClick={() => replaceParams(['rules'], { q, offset: String(Math.max(0, offset - PAGE)) })}
            >
              Previous
            </button>
            <button
              type="button"
              disabled={offset + PAGE >= rules.data.total}
              onClick={() => replaceParams(['rules'], { q, offset: String(offset + PAGE) })}
            >
              Next
            </button>
          </div>
        </>
      )}
      <RuleText write={write} onUploaded={rules.reload} />
    </>
  );
}

interface Validation {
  ok: boolean;
  rules: number;
  ids: string[];
  problems: Record<string, unknown>[];
}

function RuleText({ write, onUploaded }: { write: boolean; onUploaded: () => void }): ReactNode {
  const [yaml, setYaml] = useState('');
  const [result, setResult] = useState<Validation | undefined>();
  const [uploaded, setUploaded] = useState<string | undefined>();
  const action = useAction();
  return (
    <Section title="Validate or upload a rule">
      <textarea
        aria-label="Rule YAML"
        className="code"
        rows={10}
        value={yaml}
        onChange={(e) => setYaml(e.target.value)}
        spellCheck={false}
      />
      <div className="row">
        <button
          type="button"
          disabled={!yaml || action.busy}
          onClick={() => action.run(() => post<Validation>('/api/rules/validate', { yaml }).then(setResult))}
        >
          Validate
        </button>
        {write && (
          <button
            type="button"
            disabled={!yaml || action.busy}
            onClick={() =>
              action.run(() =>
                post<Validation>('/api/rules', { yaml }).then((r) => {
                  setUploaded(`uploaded: ${r.ids.join(', ')}`);
                  onUploaded();
                }),
              )
            }
          >
            Upload
          </button>
        )}
      </div>
      {result && (
        <div role="status">
          <p className={result.ok ? 'ok' : 'problem'}>
            {result.ok ? `valid: ${result.rules} rule(s)` : 'not valid'}
          </p>
          <ul>
            {result.problems.map((p, n) => (
              <li key={n}>
                {Object.entries(p)
                  .map(([k, v]) => `${k}: ${text(v)}`)
                  .join(' · ')}
              </li>
            ))}
          </ul>
        </div>
      )}
      {uploaded && <p className="ok">{uploaded}</p>}
      <Problem error={action.error} />
    </Section>
  );
}
