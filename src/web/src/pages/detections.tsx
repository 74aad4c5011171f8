/**
 * Detections: the timeline as a virtualised table (only the rows in view are in the DOM, so 100,000 rows
 * scroll as fast as 100), filters kept in the URL, grouping, keyboard navigation, and a detail drawer with
 * the event's fields and the rule's YAML.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { get, post, query } from '../api';
import { download, toCsv } from '../csv';
import { errorText, text, utc } from '../format';
import { navigate, replaceParams } from '../router';
import { useSession } from '../session';
import { LEVELS, type Detection, type StoredEvent } from '../types';
import { Level, Problem, useAction, useLoad } from '../ui';

const PAGE = 10_000;
/** The most rows one view loads; past it the view says so and asks for a narrower filter. */
export const MAX_ROWS = 200_000;
const ROW_HEIGHT = 30;

interface Filters {
  level: string;
  rule: string;
  host: string;
  from: string;
  to: string;
  tag: string;
  group: string;
}

const FILTER_KEYS = ['level', 'rule', 'host', 'from', 'to', 'tag', 'group'] as const;

function filtersOf(params: URLSearchParams): Filters {
  const f = {} as Filters;
  for (const k of FILTER_KEYS) f[k] = params.get(k) ?? '';
  return f;
}

interface LoadState {
  rows: Detection[];
  done: boolean;
  truncated: boolean;
  error: string | undefined;
}

/** Every detection the server-side filters select, page by page (the API orders by time; pages continue at the last time seen). */
function useDetections(level: string, host: string, from: string, to: string): LoadState {
  const [state, setState] = useState<LoadState>({
    rows: [],
    done: false,
    truncated: false,
    error: undefined,
  });
  useEffect(() => {
    let live = true;
    setState({ rows: [], done: false, truncated: false, error: undefined });
    void (async () => {
      const seen = new Set<string>();
      const rows: Detection[] = [];
      let start = from;
      for (;;) {
        const page = await get<Detection[]>(
          `/api/detections${query({ level, host, from: start, to, limit: PAGE })}`,
        );
        let added = 0;
        for (const d of page)
          if (!seen.has(d.id)) {
            seen.add(d.id);
            rows.push(d);
            added++;
          }
        if (!live) return;
        const last = page.at(-1);
        const full = page.length === PAGE;
        // A full page that added nothing new is one instant with more detections than a page: stop, say so.
        const stuck = full && (added === 0 || last?.timestamp === start);
        const truncated = rows.length >= MAX_ROWS || stuck;
        setState({ rows: [...rows], done: !full || truncated, truncated, error: undefined });
        if (!full || truncated || !last) return;
        start = last.timestamp;
      }
    })().catch((e: unknown) => live && setState((s) => ({ ...s, done: true, error: errorText(e) })));
    return () => {
      live = false;
    };
  }, [level, host, from, to]);
  return state;
}

type Item = { kind: 'group'; key: string; count: number } | { kind: 'row'; detection: Detection };

function groupKey(d: Detection, by: string): string {
  if (by === 'rule') return d.ruleTitle;
  if (by === 'host') return d.host ?? '(no host)';
  if (by === 'level') return d.level;
  return '';
}

export function DetectionsPage({ params }: { params: URLSearchParams }): ReactNode {
  const filters = filtersOf(params);
  const [draft, setDraft] = useState(filters);
  // A link or the back button changes the URL: the form follows it.
  const paramsKey = params.toString();
  useEffect(() => setDraft(filtersOf(new URLSearchParams(paramsKey))), [paramsKey]);
  const loaded = useDetections(filters.level, filters.host, filters.from, filters.to);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<Detection | undefined>();

  const apply = (next: Filters) => {
    const p: Record<string, string> = {};
    for (const k of FILTER_KEYS) if (next[k]) p[k] = next[k];
    replaceParams(['detections'], p);
  };

  // The filters the server has no parameter for: rule by title or id text, tag.
  const visible = useMemo(() => {
    const rule = filters.rule.toLowerCase();
    const tag = filters.tag.toLowerCase();
    return loaded.rows.filter(
      (d) =>
        (!rule || d.ruleTitle.toLowerCase().includes(rule) || d.ruleId.toLowerCase() === rule) &&
        (!tag || d.tags.some((t) => t.toLowerCase().includes(tag))),
    );
  }, [loaded.rows, filters.rule, filters.tag]);

  const items = useMemo<Item[]>(() => {
    if (!filters.group) return visible.map((detection) => ({ kind: 'row', detection }));
    const groups = new Map<string, Detection[]>();
    for (const d of visible) {
      const k = groupKey(d, filters.group);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(d);
    }
    const out: Item[] = [];
    for (const [key, ds] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      out.push({ kind: 'group', key, count: ds.length });
      if (!collapsed.has(key)) for (const detection of ds) out.push({ kind: 'row', detection });
    }
    return out;
  }, [visible, filters.group, collapsed]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  const activate = (index: number) => {
    const i = Math.max(0, Math.min(items.length - 1, index));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };
  const openItem = (item: Item | undefined) => {
    if (!item) return;
    if (item.kind === 'row') setSelected(item.detection);
    else
      setCollapsed((c) => {
        const n = new Set(c);
        if (n.has(item.key)) n.delete(item.key);
        else n.add(item.key);
        return n;
      });
  };
  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: page,
      PageUp: -page,
      j: 1,
      k: -1,
    };
    if (e.key in moves) activate(active + moves[e.key]!);
    else if (e.key === 'Home') activate(0);
    else if (e.key === 'End') activate(items.length - 1);
    else if (e.key === 'Enter' || e.key === ' ') openItem(items[active]);
    else if (e.key === 'Escape') setSelected(undefined);
    else return;
    e.preventDefault();
  };

  const exportCsv = () => {
    download(
      'detections.csv',
      toCsv(
        ['time', 'level', 'rule', 'rule id', 'host', 'tags', 'fields'],
        visible.map((d) => [
          d.timestamp,
          d.level,
          d.ruleTitle,
          d.ruleId,
          d.host ?? '',
          d.tags.join(' '),
          text(d.fields),
        ]),
      ),
    );
  };

  return (
    <div className={selected ? 'with-drawer' : ''}>
      <h1>Detections</h1>
      <form
        className="filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label>
          Lowest level
          <select
            value={draft.level}
            onChange={(e) => apply({ ...draft, level: e.target.value })}
            name="level"
          >
            <option value="">any</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <input
            name="rule"
            value={draft.rule}
            onChange={(e) => setDraft({ ...draft, rule: e.target.value })}
            placeholder="title or id"
          />
        </label>
        <label>
          Host
          <input
            name="host"
            value={draft.host}
            onChange={(e) => setDraft({ ...draft, host: e.target.value })}
          />
        </label>
        <label>
          From (UTC)
          <input
            name="from"
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            placeholder="2026-05-10T02:00:00Z"
          />
        </label>
        <label>
          To (UTC)
          <input name="to" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <label>
          Tag
          <input
            name="tag"
            value={draft.tag}
            onChange={(e) => setDraft({ ...draft, tag: e.target.value })}
            placeholder="attack.t1003"
          />
        </label>
        <label>
          Group by
          <select
            name="group"
            value={draft.group}
            onChange={(e) => apply({ ...draft, group: e.target.value })}
          >
            <option value="">nothing</option>
            <option value="rule">rule</option>
            <option value="host">host</option>
            <option value="level">level</option>
          </select>
        </label>
        <button type="submit">Apply</button>
        <button type="button" onClick={exportCsv} disabled={visible.length === 0}>
          Export CSV
        </button>
      </form>
      <Problem error={loaded.error} />
      <p className="muted" aria-live="polite" data-testid="detections-count">
        {visible.length.toLocaleString('en')} detections{loaded.done ? '' : ' (loading…)'}
        {loaded.truncated
          ? ` — the first ${loaded.rows.length.toLocaleString('en')} only: narrow the time or host`
          : ''}
      </p>
      <div className="vtable" role="grid" aria-label="Detections timeline" aria-rowcount={items.length}>
        <div className="vrow vhead" role="row">
          <span role="columnheader" className="c-time">
            time (UTC)
          </span>
          <span role="columnheader" className="c-level">
            level
          </span>
          <span role="columnheader" className="c-rule">
            rule
          </span>
          <span role="columnheader" className="c-host">
            host
          </span>
          <span role="columnheader" className="c-fields">
            fields
          </span>
        </div>
        <div
          ref={scroller}
          className="vbody"
          tabIndex={0}
          onKeyDown={onKey}
          aria-activedescendant={items.length ? `det-${active}` : undefined}
          data-testid="detections-scroller"
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((v) => {
              const item = items[v.index]!;
              const cls = `vrow${v.index === active ? ' active' : ''}`;
              const place = { transform: `translateY(${v.start}px)`, height: ROW_HEIGHT };
              if (item.kind === 'group')
                return (
                  <div
                    key={`g-${item.key}`}
                    id={`det-${v.index}`}
                    role="row"
                    aria-rowindex={v.index + 1}
                    className={`${cls} vgroup`}
                    style={place}
                    onClick={() => {
                      setActive(v.index);
                      openItem(item);
                    }}
                  >
                    <span role="gridcell">
                      {collapsed.has(item.key) ? '▸' : '▾'} {item.key} — {item.count.toLocaleString('en')}
                    </span>
                  </div>
                );
              const d = item.detection;
              return (
                <div
                  key={d.id}
                  id={`det-${v.index}`}
                  role="row"
                  aria-rowindex={v.index + 1}
                  aria-selected={selected?.id === d.id}
                  className={cls}
                  style={place}
                  onClick={() => {
                    setActive(v.index);
                    setSelected(d);
                  }}
                >
                  <span role="gridcell" className="c-time">
                    {utc(d.timestamp)}
                  </span>
                  <span role="gridcell" className="c-level">
                    <Level level={d.level} />
                  </span>
                  <span role="gridcell" className="c-rule" title={d.ruleTitle}>
                    {d.ruleTitle}
                  </span>
                  <span role="gridcell" className="c-host">
                    {d.host ?? ''}
                  </span>
                  <span role="gridcell" className="c-fields">
                    {Object.entries(d.fields)
                      .map(([k, val]) => `${k}=${text(val)}`)
                      .join('  ')}
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      <p className="muted small">
        Keys: ↑ ↓ (or j k), Page Up/Down, Home/End move; Enter opens the detail (or folds a group); Esc closes
        it.
      </p>
      {selected && (
        <DetectionDrawer
          detection={selected}
          onClose={() => {
            setSelected(undefined);
            scroller.current?.focus();
          }}
        />
      )}
    </div>
  );
}

/** The stored event a detection came from: by its id when the detection has one, else by time, host and source place. */
async function eventOf(d: Detection): Promise<StoredEvent | undefined> {
  if (d.eventId) return get<StoredEvent>(`/api/events/${encodeURIComponent(d.eventId)}`);
  const t = Date.parse(d.timestamp);
  if (!Number.isFinite(t)) return undefined;
  const found = await get<{ events: StoredEvent[] }>(
    `/api/events${query({ from: new Date(t).toISOString(), to: new Date(t + 1).toISOString(), host: d.host ?? undefined, limit: 1000 })}`,
  );
  const same = (e: StoredEvent) =>
    e.source.file === d.source.file &&
    (e.source.line ?? e.source.offset) === (d.source.line ?? d.source.offset);
  return found.events.find(same) ?? (found.events.length === 1 ? found.events[0] : undefined);
}

export function DetectionDrawer({
  detection: d,
  onClose,
}: {
  detection: Detection;
  onClose: () => void;
}): ReactNode {
  const session = useSession();
  const event = useLoad(() => eventOf(d), d.id);
  const rule = useLoad(
    () =>
      d.kind === 'sigma' || d.kind === 'correlation'
        ? get<{ yaml: string; file: string }>(`/api/rules/${encodeURIComponent(d.ruleId)}/yaml`)
        : Promise.resolve(undefined),
    d.ruleId,
  );
  const action = useAction();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), [d.id]);
  return (
    <aside
      className="drawer"
      aria-label="Detection detail"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <header className="panel-head">
        <h2>{d.ruleTitle}</h2>
        <button ref={close} type="button" onClick={onClose} aria-label="Close the detail">
          ✕
        </button>
      </header>
      <dl className="kv">
        <dt>time</dt>
        <dd>{utc(d.timestamp)}</dd>
        <dt>level</dt>
        <dd>
          <Level level={d.level} />
        </dd>
        <dt>host</dt>
        <dd>{d.host ?? '—'}</dd>
        <dt>rule id</dt>
        <dd>{d.ruleId}</dd>
        <dt>tags</dt>
        <dd>{d.tags.join(', ') || '—'}</dd>
        <dt>source</dt>
        <dd>
          {Object.entries(d.source)
            .map(([k, v]) => `${k}: ${text(v)}`)
            .join(' · ')}
        </dd>
      </dl>
      {session.can('cases:handle') && (
        <p>
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              action.run(() =>
                post<{ id: string }>('/api/cases', { from: { detection: d.id } }).then((c) =>
                  navigate(['cases', c.id]),
                ),
              )
            }
          >
            Open a case from this detection
          </button>
        </p>
      )}
      <Problem error={action.error} />
      <h3>Event fields</h3>
      <Problem error={event.error} />
      <FieldTable fields={event.data?.fields ?? d.fields} />
      {!event.loading && !event.data && (
        <p className="muted small">The stored event was not found; these are the detection's key fields.</p>
      )}
      {rule.data && (
        <>
          <h3>Rule</h3>
          <p className="muted small">{rule.data.file}</p>
          <pre className="yaml" tabIndex={0} aria-label="Rule YAML">
            {rule.data.yaml}
          </pre>
        </>
      )}
      <Problem error={rule.error} />
    </aside>
  );
}

export function FieldTable({ fields }: { fields: Record<string, unknown> }): ReactNode {
  return (
    <table className="compact fields" aria-label="Fields">
      <tbody>
        {Object.entries(fields).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{text(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
