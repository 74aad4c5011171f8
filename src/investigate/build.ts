/**
 * Detections → incidents. Hosts and attacker addresses are joined by what links them — a network
 * logon or service install from one host to another, the same new binary started by the same parent
 * on many hosts (a software-update push), the same external address in exploitation, command and
 * control and exfiltration, the same account — and each link is kept as evidence. Each incident then
 * gets its analysis: scope, entry, spread, timeline, techniques, infrastructure, data out, activity.
 */
import type { Detection } from '../core/detection.js';
import { levelRank } from '../core/detection.js';
import { detectionId, sha256Hex } from '../core/ids.js';
import type { GeoDatabase } from '../enrich/geo.js';
import { isInternalIp } from '../enrich/geo.js';
import { activityOf, type Activity } from './activity.js';
import { tacticName, tacticOrder, tacticsOf, techniquesOf } from './attack.js';
import type { FactCollector, Flow, ObservedDetection, WebAction } from './facts.js';
import { hostKey } from './facts.js';

export interface BuildOptions {
  readonly geo: GeoDatabase;
  /** ISO country code of the CERT's own country (cross-border is any party outside it). */
  readonly homeCountry?: string;
  /** Smallest outbound volume to one address that counts as exfiltration. */
  readonly exfilMinBytes?: number;
  /** Hosts that must start the same new binary under the same parent to call it a push. */
  readonly pushMinHosts?: number;
}

export type InfraRole = 'exploitation' | 'command-and-control' | 'exfiltration';

export interface IncidentHost {
  readonly name: string;
  readonly first_seen: string;
  readonly how_reached: string;
  readonly detections: number;
}

export interface Incident {
  readonly id: string;
  readonly title: string;
  readonly first_seen: string;
  readonly last_seen: string;
  readonly severity: Detection['level'];
  readonly hosts: IncidentHost[];
  readonly entry: {
    readonly host: string;
    readonly time: string;
    readonly technique: string | null;
    readonly rule: string;
    readonly from_ip: string | null;
  };
  readonly spread: {
    readonly from: string;
    readonly to: string;
    readonly time: string;
    readonly via: string;
  }[];
  readonly timeline: {
    readonly time: string;
    readonly tactic: string | null;
    readonly technique: string | null;
    readonly host: string | null;
    readonly rule: string;
    readonly count: number;
  }[];
  readonly techniques: {
    readonly id: string;
    readonly name: string;
    readonly tactics: string[];
    readonly count: number;
  }[];
  readonly infrastructure: {
    readonly ip: string;
    readonly country: string | null;
    readonly asn: number | null;
    readonly as_name: string | null;
    readonly roles: InfraRole[];
    readonly first_seen: string;
    readonly last_seen: string;
    readonly bytes_out: number;
  }[];
  /** Script files a web server process wrote on incident hosts. */
  readonly web_shells: {
    readonly host: string;
    readonly path: string;
    readonly time: string;
    readonly written_by: string;
  }[];
  /** What web server processes ran on incident hosts, in time order. */
  readonly web_commands: { readonly host: string; readonly time: string; readonly command: string }[];
  readonly bytes_out_total: number;
  readonly cross_border: boolean;
  readonly countries: string[];
  readonly activity: Activity;
  readonly links: string[];
  readonly detections: { readonly count: number; readonly ids: string[] };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString() : '');

/** Union-find over node keys (host keys and external IPs). */
class Components {
  readonly #parent = new Map<string, string>();
  find(x: string): string {
    let root = this.#parent.get(x) ?? x;
    if (root === x) {
      if (!this.#parent.has(x)) this.#parent.set(x, x);
      return x;
    }
    root = this.find(root);
    this.#parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}

interface Reach {
  time: number;
  how: string;
}

const GENERIC_USERS = /^(administrator|admin|system|-|guest)$|\$$/i;

export function buildIncidents(facts: FactCollector, options: BuildOptions): Incident[] {
  const home = (options.homeCountry ?? 'CN').toUpperCase();
  const exfilMin = options.exfilMinBytes ?? 50 * 1024 * 1024;
  const pushMin = options.pushMinHosts ?? 5;
  const uf = new Components();
  const links: { a: string; b: string; text: string }[] = [];
  const reach = new Map<string, Reach>();
  const spread: Incident['spread'] = [];
  const display = (key: string): string => facts.hostNames.get(key) ?? key;
  const hostOfIp = (ip: string): string => facts.ipToHost.get(ip) ?? ip;
  const reached = (host: string, time: number, how: string): void => {
    const seen = reach.get(host);
    if (!seen || time < seen.time) reach.set(host, { time, how });
  };
  const link = (a: string, b: string, text: string): void => {
    uf.union(a, b);
    links.push({ a, b, text });
  };

  // Detections about addresses (web logs, flows) are about the host behind the address.
  const observedAll: ObservedDetection[] = facts.detections.map((o) =>
    o.host ? { ...o, host: hostOfIp(o.host) } : o,
  );
  const webByServer = new Map<string, Flow[]>();
  for (const w of facts.webRequests.values()) {
    const server = hostOfIp(w.dst);
    webByServer.set(server, [...(webByServer.get(server) ?? []), w]);
  }

  // Detections worth an incident: medium and above (low and informational ones ride along).
  const byHost = new Map<string, ObservedDetection[]>();
  for (const o of observedAll) {
    if (o.host === null) continue;
    const list = byHost.get(o.host) ?? [];
    list.push(o);
    byHost.set(o.host, list);
  }
  const flagged = new Set(
    [...byHost]
      .filter(([, list]) => list.some((o) => levelRank(o.detection.level) >= levelRank('medium')))
      .map(([h]) => h),
  );
  for (const h of flagged) uf.find(h);

  // Attacker addresses named by detections (web exploitation from c-ip, indicator hits, …).
  const infra = new Map<string, { roles: Set<InfraRole>; first: number; last: number; bytesOut: number }>();
  const addInfra = (ip: string, role: InfraRole | null, t: number, bytes = 0): void => {
    let entry = infra.get(ip);
    if (!entry) infra.set(ip, (entry = { roles: new Set(), first: t, last: t, bytesOut: 0 }));
    if (role) entry.roles.add(role);
    entry.first = Math.min(entry.first, t);
    entry.last = Math.max(entry.last, t);
    entry.bytesOut += bytes;
  };
  for (const o of observedAll) {
    if (levelRank(o.detection.level) < levelRank('medium')) continue;
    for (const ip of [o.srcIp, o.dstIp]) {
      if (!ip || isInternalIp(ip) || !o.host) continue;
      addInfra(
        ip,
        o.srcIp === ip && o.detection.source.kind === 'w3c' ? 'exploitation' : null,
        o.detection.timestamp,
      );
      link(
        ip,
        o.host,
        `${display(o.host)} joined: ${o.detection.ruleTitle} names ${ip} at ${iso(o.detection.timestamp)}`,
      );
    }
  }

  // Web-shell activity: the outside clients whose requests reached the server just before its web
  // server process did something detected are the ones driving it.
  for (const o of observedAll) {
    if (!o.webProcess || !o.host || !flagged.has(o.host)) continue;
    const t = o.detection.timestamp;
    for (const w of webByServer.get(o.host) ?? []) {
      if (isInternalIp(w.src) || !w.times.some((x) => x >= t - 5 * 60_000 && x <= t + 60_000)) continue;
      addInfra(w.src, 'exploitation', t);
      if (!infra.get(w.src)!.roles.has('exploitation')) continue;
      link(
        w.src,
        o.host,
        `${w.src} joined: its requests to ${display(o.host)} preceded ${o.detection.ruleTitle} at ${iso(t)}`,
      );
    }
  }

  // Lateral movement: a network logon from a flagged host, then (or with) a service install.
  const installsByHost = new Map<string, typeof facts.services>();
  for (const s of facts.services) installsByHost.set(s.host, [...(installsByHost.get(s.host) ?? []), s]);
  for (const edge of facts.logons.values()) {
    if (!flagged.has(edge.from) && !flagged.has(edge.to)) continue;
    if (!flagged.has(edge.from) || !flagged.has(edge.to)) {
      // A logon into or out of a flagged host only links when the other side did something too.
      const other = flagged.has(edge.from) ? edge.to : edge.from;
      if (!byHost.has(other)) continue;
    }
    const install = (installsByHost.get(edge.to) ?? []).find(
      (s) => s.time >= edge.first - HOUR && s.time <= edge.first + DAY,
    );
    const via = `${edge.logonType === 10 ? 'RDP logon' : 'network logon'} (4624 type ${edge.logonType}) as ${[...edge.users].join(', ')}${install ? `, then 7045 ${install.service}` : ''}`;
    link(
      edge.from,
      edge.to,
      `${display(edge.to)} joined: ${via} from ${display(edge.from)} at ${iso(edge.first)}`,
    );
    spread.push({ from: display(edge.from), to: display(edge.to), time: iso(edge.first), via });
    reached(edge.to, edge.first, `${via} from ${display(edge.from)}`);
  }

  // Software-update push: the same new binary under the same parent on many hosts within two days.
  for (const launch of facts.launches.values()) {
    if (launch.hosts.size < pushMin) continue;
    const times = [...launch.hosts.values()];
    const first = Math.min(...times);
    const last = Math.max(...times);
    // "New": not running before the push began (its first start is well after the evidence begins),
    // and every host started it within two days.
    if (last - first > 2 * DAY || first - facts.firstTime < HOUR) continue;
    const hosts = [...launch.hosts.keys()];
    // The push belongs to an incident when a flagged host is among them, or the clients fetched it
    // from a flagged server around the time they started it.
    const server = updateServer(facts, hosts, first, last, flagged);
    if (!hosts.some((h) => flagged.has(h)) && server === null) continue;
    const binary = launch.image.split(/[\\/]/).pop() ?? launch.image;
    const parent = launch.parent.split(/[\\/]/).pop() ?? launch.parent;
    const how = `update push: ${parent} started new ${binary}${server ? ` fetched from ${display(server)}` : ''}`;
    const anchor = server ?? hosts.find((h) => flagged.has(h))!;
    for (const h of hosts) {
      if (h === anchor) continue;
      uf.union(anchor, h);
      reached(h, launch.hosts.get(h)!, how);
    }
    links.push({
      a: anchor,
      b: hosts[0]!,
      text: `${hosts.length} hosts joined: ${how} between ${iso(first)} and ${iso(last)}`,
    });
    if (server)
      spread.push({ from: display(server), to: `${hosts.length} clients`, time: iso(first), via: how });
  }

  // The same account with detections on several hosts.
  const hostsByUser = new Map<string, Set<string>>();
  for (const o of observedAll) {
    if (!o.user || !o.host || GENERIC_USERS.test(o.user) || !flagged.has(o.host)) continue;
    const u = o.user.toLowerCase();
    hostsByUser.set(u, (hostsByUser.get(u) ?? new Set()).add(o.host));
  }
  for (const [user, hosts] of hostsByUser) {
    const [first, ...rest] = [...hosts];
    for (const h of rest)
      link(
        first!,
        h,
        `${display(h)} joined: detections for account ${user} on ${display(first!)} and ${display(h)}`,
      );
  }

  // Outbound traffic from incident hosts: exfiltration by volume, command and control by repetition.
  const inIncident = (host: string): boolean => flagged.has(host) || reach.has(host);
  const outbound = [...facts.flows.values()].filter((f) => !isInternalIp(f.dst) && isInternalIp(f.src));
  const contactsByDst = new Map<string, Flow[]>();
  for (const f of outbound) contactsByDst.set(f.dst, [...(contactsByDst.get(f.dst) ?? []), f]);
  for (const [dst, flows] of contactsByDst) {
    const fromIncident = flows.filter((f) => inIncident(hostOfIp(f.src)));
    if (fromIncident.length === 0) continue;
    const bytes = fromIncident.reduce((n, f) => n + f.bytesOut, 0);
    const known = infra.has(dst);
    const exfil = fromIncident.some((f) => f.bytesOut >= exfilMin);
    // Beaconing: several incident hosts, and (almost) nobody else, talk to it repeatedly.
    const others = flows.length - fromIncident.length;
    const beacon =
      fromIncident.length >= 3 &&
      others <= fromIncident.length / 10 &&
      fromIncident.every((f) => f.count >= 2);
    if (!known && !exfil && !beacon) continue;
    for (const f of fromIncident) {
      addInfra(dst, null, f.first, f.bytesOut);
      addInfra(dst, null, f.last);
      if (f.bytesOut >= exfilMin) infra.get(dst)!.roles.add('exfiltration');
    }
    if (beacon || (known && !exfil)) infra.get(dst)!.roles.add('command-and-control');
    const anchor = hostOfIp(fromIncident[0]!.src);
    link(dst, anchor, `${dst} joined: ${fromIncident.length} incident host(s) sent ${bytes} bytes to it`);
    for (const f of fromIncident.slice(1)) uf.union(dst, hostOfIp(f.src));
  }
  // Inbound web requests from attacker addresses to the hosts they exploited.
  for (const w of facts.webRequests.values()) {
    const server = hostOfIp(w.dst);
    if (infra.has(w.src) && (flagged.has(server) || inIncident(server))) {
      addInfra(w.src, 'exploitation', w.first);
      addInfra(w.src, null, w.last);
      uf.union(w.src, server);
    }
  }

  // Components with at least one flagged host are incidents.
  const groups = new Map<string, Set<string>>();
  const nodes = new Set<string>([...flagged, ...reach.keys(), ...infra.keys()]);
  for (const n of nodes) {
    const root = uf.find(n);
    groups.set(root, (groups.get(root) ?? new Set()).add(n));
  }
  const incidents: Incident[] = [];
  for (const members of groups.values()) {
    if (![...members].some((m) => flagged.has(m))) continue;
    incidents.push(analyse(members, { facts, options, home, byHost, reach, infra, links, spread, display }));
  }
  return incidents.sort((a, b) => a.first_seen.localeCompare(b.first_seen));
}

/** An internal server most push hosts contacted within an hour before they started the binary. */
function updateServer(
  facts: FactCollector,
  hosts: readonly string[],
  first: number,
  last: number,
  flagged: ReadonlySet<string>,
): string | null {
  const hostSet = new Set(hosts);
  const counts = new Map<string, number>();
  for (const f of facts.flows.values()) {
    if (!isInternalIp(f.dst) || f.last < first - HOUR || f.first > last + HOUR) continue;
    const client = facts.ipToHost.get(f.src) ?? f.src;
    if (!hostSet.has(client)) continue;
    const server = facts.ipToHost.get(f.dst) ?? f.dst;
    counts.set(server, (counts.get(server) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [server, n] of counts) {
    if (flagged.has(server) && n > bestCount) {
      best = server;
      bestCount = n;
    }
  }
  return bestCount >= hosts.length / 2 ? best : null;
}

interface AnalysisContext {
  readonly facts: FactCollector;
  readonly options: BuildOptions;
  readonly home: string;
  readonly byHost: ReadonlyMap<string, ObservedDetection[]>;
  readonly reach: ReadonlyMap<string, Reach>;
  readonly infra: ReadonlyMap<
    string,
    { roles: Set<InfraRole>; first: number; last: number; bytesOut: number }
  >;
  readonly links: readonly { a: string; b: string; text: string }[];
  readonly spread: Incident['spread'];
  readonly display: (key: string) => string;
}

function analyse(members: ReadonlySet<string>, ctx: AnalysisContext): Incident {
  const { facts, display } = ctx;
  const observed = [...members]
    .flatMap((m) => ctx.byHost.get(m) ?? [])
    .sort((a, b) => a.detection.timestamp - b.detection.timestamp);
  const hostKeys = [...members].filter((m) => !ctx.infra.has(m) && (ctx.byHost.has(m) || ctx.reach.has(m)));
  const entryObs = observed.find((o) => levelRank(o.detection.level) >= levelRank('medium')) ?? observed[0]!;
  const entryHost = entryObs.host!;
  const infraIps = [...members].filter((m) => ctx.infra.has(m));
  const fromIp =
    infraIps
      .filter((ip) => ctx.infra.get(ip)!.roles.has('exploitation'))
      .sort((a, b) => ctx.infra.get(a)!.first - ctx.infra.get(b)!.first)[0] ?? null;

  const hosts: IncidentHost[] = hostKeys
    .map((h) => {
      const own = ctx.byHost.get(h) ?? [];
      const firstDetection = own.length > 0 ? Math.min(...own.map((o) => o.detection.timestamp)) : Infinity;
      const r = ctx.reach.get(h);
      const how =
        h === entryHost
          ? `entry: ${entryObs.detection.ruleTitle}${fromIp ? ` from ${fromIp}` : ''}`
          : (r?.how ?? 'detections on the host');
      return {
        name: display(h),
        first_seen: iso(Math.min(firstDetection, r?.time ?? Infinity)),
        how_reached: how,
        detections: own.length,
      };
    })
    .sort((a, b) => a.first_seen.localeCompare(b.first_seen));

  // Timeline: the first detection of each (host, rule), in time order, with its tactic and technique.
  const stages = new Map<string, Incident['timeline'][number] & { count: number }>();
  for (const o of observed) {
    const key = `${o.host}\0${o.detection.ruleId}`;
    const seen = stages.get(key);
    if (seen) {
      seen.count++;
      continue;
    }
    const technique = techniquesOf(o.detection.tags)[0];
    const tactic = tacticsOf(o.detection.tags)[0];
    stages.set(key, {
      time: iso(o.detection.timestamp),
      tactic: tactic ? tacticName(tactic) : null,
      technique: technique ? `${technique.id} ${technique.name}` : null,
      host: o.host ? display(o.host) : null,
      rule: o.detection.ruleTitle,
      count: 1,
    });
  }
  const timeline = [...stages.values()].sort((a, b) => a.time.localeCompare(b.time)).slice(0, 1000);

  const techniqueCounts = new Map<string, { id: string; name: string; tactics: string[]; count: number }>();
  for (const o of observed) {
    for (const t of techniquesOf(o.detection.tags)) {
      const entry = techniqueCounts.get(t.id) ?? {
        id: t.id,
        name: t.name,
        tactics: t.tactics.map(tacticName),
        count: 0,
      };
      entry.count++;
      techniqueCounts.set(t.id, entry);
    }
  }
  const order = tacticOrder().map(tacticName);
  const techniques = [...techniqueCounts.values()].sort(
    (a, b) =>
      order.indexOf(a.tactics[0] ?? '') - order.indexOf(b.tactics[0] ?? '') || a.id.localeCompare(b.id),
  );

  const infrastructure = infraIps
    .map((ip) => {
      const i = ctx.infra.get(ip)!;
      const geo = ctx.options.geo.lookup(ip);
      return {
        ip,
        country: geo.country,
        asn: geo.asn,
        as_name: geo.asName,
        roles: (['exploitation', 'command-and-control', 'exfiltration'] as const).filter((r) =>
          i.roles.has(r),
        ),
        first_seen: iso(i.first),
        last_seen: iso(i.last),
        bytes_out: i.bytesOut,
      };
    })
    .sort((a, b) => b.bytes_out - a.bytes_out || a.ip.localeCompare(b.ip));
  const countries = [
    ...new Set(infrastructure.map((i) => i.country).filter((c): c is string => c !== null)),
  ].sort();

  // The attacker's actions: detections, and their infrastructure's traffic with incident hosts.
  const actionTimes = observed.map((o) => o.detection.timestamp);
  for (const ip of infraIps) {
    const web = [...facts.webRequests.values()].filter((w) => w.src === ip);
    for (const w of web) actionTimes.push(...w.times);
  }
  const memberSet = new Set(members);
  const webShells = hostKeys
    .flatMap((h) =>
      webShellsOn(facts, h).map((a) => ({
        host: display(h),
        path: a.what,
        time: iso(a.time),
        written_by: a.by,
      })),
    )
    .sort((a, b) => a.time.localeCompare(b.time));
  const webCommands = hostKeys
    .flatMap((h) =>
      (facts.webCommands.get(h) ?? []).map((a) => ({ host: display(h), time: iso(a.time), command: a.what })),
    )
    .sort((a, b) => a.time.localeCompare(b.time));
  // Sysmon 1 and Security 4688 both record one process: keep one line per command and second.
  const webCommandsOnce = webCommands.filter(
    (c, k) =>
      k === 0 ||
      c.command !== webCommands[k - 1]!.command ||
      c.time.slice(0, 19) !== webCommands[k - 1]!.time.slice(0, 19),
  );
  const detectionIds = observed.map((o) => detectionId(o.detection));
  const first = Math.min(
    ...observed.map((o) => o.detection.timestamp),
    ...infrastructure.map((i) => Date.parse(i.first_seen)),
  );
  const last = Math.max(
    ...observed.map((o) => o.detection.timestamp),
    ...infrastructure.map((i) => Date.parse(i.last_seen)),
  );
  const severity = observed.reduce<Detection['level']>(
    (s, o) => (levelRank(o.detection.level) > levelRank(s) ? o.detection.level : s),
    'informational',
  );
  const bytesOut = infrastructure.reduce((n, i) => n + i.bytes_out, 0);
  const entryTechnique = techniquesOf(entryObs.detection.tags)[0];
  // The title names what happened (a rule's finding) rather than a list hit, when a rule saw it.
  const titleObs =
    observed.find(
      (o) => o.detection.kind === 'sigma' && levelRank(o.detection.level) >= levelRank('medium'),
    ) ?? entryObs;
  return {
    id: `inc-${sha256Hex([...detectionIds].sort().join('\n')).slice(0, 16)}`,
    title: `${display(titleObs.host ?? entryHost)}: ${titleObs.detection.ruleTitle}${hosts.length > 1 ? `, ${hosts.length} hosts` : ''}${bytesOut > 0 ? `, ${formatBytes(bytesOut)} out` : ''}`,
    first_seen: iso(first),
    last_seen: iso(last),
    severity,
    hosts,
    entry: {
      host: display(entryHost),
      time: iso(entryObs.detection.timestamp),
      technique: entryTechnique ? `${entryTechnique.id} ${entryTechnique.name}` : null,
      rule: entryObs.detection.ruleTitle,
      from_ip: fromIp,
    },
    spread: ctx.spread.filter((s) => memberSet.has(hostKey(s.to)) || memberSet.has(hostKey(s.from))),
    timeline,
    techniques,
    infrastructure,
    web_shells: webShells,
    web_commands: webCommandsOnce,
    bytes_out_total: bytesOut,
    cross_border: countries.some((c) => c !== ctx.home),
    countries,
    activity: activityOf(actionTimes),
    links: ctx.links
      .filter((l) => memberSet.has(l.a) || memberSet.has(l.b))
      .map((l) => l.text)
      .slice(0, 500),
    detections: { count: observed.length, ids: detectionIds },
  };
}

/** Web shells on a host: scripts its web server wrote, and scripts written into a web root that it then compiled. */
function webShellsOn(facts: FactCollector, host: string): WebAction[] {
  const compiled = facts.webCompiled.get(host) ?? [];
  const served = (a: WebAction): boolean => {
    const name = (a.what.split('\\').pop() ?? a.what).toLowerCase();
    return compiled.some((c) => c.what === name && c.time >= a.time);
  };
  return [...(facts.webShells.get(host) ?? []), ...(facts.webScripts.get(host) ?? []).filter(served)];
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}
