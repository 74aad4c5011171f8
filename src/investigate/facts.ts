/**
 * What the incident builder needs from the whole event stream, gathered in one pass with bounded
 * memory: who logged on to which host from where, which services were installed, which binaries
 * started under which parent on how many hosts, which internal addresses belong to which host, and
 * how much went between each pair of addresses — plus every detection with its endpoints.
 */
import { commonFields } from '../core/accessors.js';
import type { Detection } from '../core/detection.js';
import type { Event, FieldValue } from '../core/event.js';

/** A host's key: its short name, lower-case (`WS-014.corp.example` and `ws-014` are one host). */
export function hostKey(name: string): string {
  const trimmed = name.trim().toLowerCase();
  // An IP address stays whole; a DNS name keeps its first label.
  return /^[\d.]+$/.test(trimmed) || trimmed.includes(':') ? trimmed : (trimmed.split('.')[0] ?? trimmed);
}

export interface ObservedDetection {
  readonly detection: Detection;
  /** Host key of the machine the detection is about (its Computer, or the internal end of a flow). */
  readonly host: string | null;
  readonly user: string | null;
  readonly srcIp: string | null;
  readonly dstIp: string | null;
  /** The event is a web server process acting (w3wp.exe, httpd …): web-shell activity. */
  readonly webProcess: boolean;
}

export interface LogonEdge {
  /** Host key or IP the logon came from. */
  readonly from: string;
  readonly to: string;
  first: number;
  last: number;
  count: number;
  readonly logonType: number;
  readonly users: Set<string>;
}

export interface ServiceInstall {
  readonly host: string;
  readonly service: string;
  readonly image: string;
  readonly time: number;
}

export interface Launch {
  /** SHA256 when the log has it, else the image's file name. */
  readonly binary: string;
  readonly image: string;
  readonly parent: string;
  /** Host key → first start. */
  readonly hosts: Map<string, number>;
}

export interface WebAction {
  readonly time: number;
  /** The file written, or the command line run. */
  readonly what: string;
  /** The web server process. */
  readonly by: string;
}

export interface Flow {
  readonly src: string;
  readonly dst: string;
  first: number;
  last: number;
  count: number;
  bytesOut: number;
  bytesIn: number;
  /** Start times, the first MAX_FLOW_TIMES of them (activity hours). */
  readonly times: number[];
}

/** Memory bounds: hostile or huge evidence degrades the analysis, never the process. */
const MAX_KEYS = 500_000;
const MAX_HOSTS_PER_LAUNCH = 50_000;
const MAX_FLOW_TIMES = 2_000;
const MAX_USERS_PER_EDGE = 50;

const WEB_SERVER_PROCESS = /[\\/](w3wp|httpd|nginx|tomcat\d*|php-cgi|java)\.exe$/i;

function isPrivate(ip: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip);
}

const WEB_SCRIPT = /\.(aspx?|ashx|asmx|php\d?|jspx?|cfm|war)$/i;
const MAX_WEB_ACTIONS = 1_000;
/** The framework compiling a page, not a web shell acting. */
const ASPNET_COMPILER = /[\\/](csc|cvtres|vbc|conhost)\.exe$/i;
const WEB_ROOT = /\\(inetpub|wwwroot|HttpProxy|FrontEnd|ClientAccess|htdocs|webapps)\\/i;
/** `…\Temporary ASP.NET Files\owa\8e05b027\e164d61b\ohyeah.aspx.f5dba9b9.compiled` → ohyeah.aspx */
const ASPNET_COMPILED = /Temporary ASP\.NET Files\\.*\\([^\\]+\.(?:aspx?|ashx|asmx))\.[0-9a-f]+\.compiled$/i;

const SERVICE_ACCOUNTS = /^(system|local service|network service|anonymous logon|-|dwm-\d+|umfd-\d+)$|\$$/i;

function str(value: FieldValue | undefined): string | null {
  if (typeof value === 'string') return value === '' || value === '-' ? null : value;
  if (typeof value === 'number') return String(value);
  return null;
}

function num(value: FieldValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

function baseName(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).toLowerCase();
}

function sha256Of(hashes: string | null): string | null {
  const m = hashes ? /SHA256=([0-9a-f]{64})/i.exec(hashes) : null;
  return m ? m[1]!.toLowerCase() : null;
}

export class FactCollector {
  readonly detections: ObservedDetection[] = [];
  /** Internal IP → host key, learnt from logons (WorkstationName + IpAddress) and Sysmon network events. */
  readonly ipToHost = new Map<string, string>();
  /** Host key → the name as first written (for display). */
  readonly hostNames = new Map<string, string>();
  readonly logons = new Map<string, LogonEdge>();
  readonly services: ServiceInstall[] = [];
  readonly launches = new Map<string, Launch>();
  readonly flows = new Map<string, Flow>();
  /** Script files written by a web server process, per host key: web shells. */
  readonly webShells = new Map<string, WebAction[]>();
  /** Script files written into a web root by other processes, and the scripts ASP.NET compiled. */
  readonly webScripts = new Map<string, WebAction[]>();
  readonly webCompiled = new Map<string, WebAction[]>();
  /** Processes a web server process started, per host key: what a web shell ran. */
  readonly webCommands = new Map<string, WebAction[]>();
  /** Web requests per client IP → per server host: count and times. */
  readonly webRequests = new Map<string, Flow>();
  firstTime = Infinity;
  lastTime = -Infinity;

  #host(name: string | null): string | null {
    if (name === null) return null;
    const key = hostKey(name);
    if (!this.hostNames.has(key) && this.hostNames.size < MAX_KEYS)
      this.hostNames.set(key, name.split('.')[0]!);
    return key;
  }

  /** One event and the detections it produced. */
  observe(event: Event, found: readonly Detection[]): void {
    const t = event.timestamp;
    if (Number.isFinite(t)) {
      if (t < this.firstTime) this.firstTime = t;
      if (t > this.lastTime) this.lastTime = t;
    }
    const f = event.fields;
    const common = commonFields(event);
    const kind = event.source.kind;
    const host = this.#host(common.host);
    if (kind === 'evtx' || kind === 'evtx-json' || kind === 'winjson' || kind === 'ecs') {
      this.#windows(event, host);
    } else if (kind === 'zeek' || kind === 'suricata') {
      if (common.srcIp && common.dstIp)
        this.#flow(this.flows, common.srcIp, common.dstIp, t, common.bytesOut ?? 0, common.bytesIn ?? 0);
    } else if (kind === 'w3c') {
      // The server's IP is resolved to its host name at build time, once every mapping is known.
      const client = str(f['c-ip']);
      const server = common.dstIp ?? host;
      if (client && server)
        this.#flow(this.webRequests, client, server, t, common.bytesOut ?? 0, common.bytesIn ?? 0);
    }
    if (found.length === 0) return;
    const webProcess =
      WEB_SERVER_PROCESS.test(str(f.ParentImage) ?? '') || WEB_SERVER_PROCESS.test(str(f.Image) ?? '');
    for (const detection of found) {
      // Network records name addresses; they become hosts at build time (ipToHost).
      const internalEnd =
        kind === 'w3c'
          ? common.dstIp
          : (host ?? (common.srcIp && isPrivate(common.srcIp) ? common.srcIp : common.dstIp));
      this.detections.push({
        detection,
        host: internalEnd,
        user: common.user,
        srcIp: common.srcIp,
        dstIp: common.dstIp,
        webProcess,
      });
    }
  }

  #windows(event: Event, host: string | null): void {
    const f = event.fields;
    const id = num(f.EventID);
    const channel = (str(f.Channel) ?? '').toLowerCase();
    const t = event.timestamp;
    if (host === null) return;
    if (id === 4624 && channel === 'security') {
      const type = num(f.LogonType) ?? 0;
      const ip = str(f.IpAddress);
      const workstation = str(f.WorkstationName);
      if (ip && workstation && ip !== '127.0.0.1' && ip !== '::1') this.#learnIp(ip, workstation);
      const user = str(f.TargetUserName);
      if ((type === 3 || type === 10) && user && !SERVICE_ACCOUNTS.test(user)) {
        const from = workstation ? hostKey(workstation) : ip ? (this.ipToHost.get(ip) ?? ip) : null;
        if (from && from !== host) {
          const key = `${from}\0${host}\0${type}`;
          let edge = this.logons.get(key);
          if (!edge && this.logons.size < MAX_KEYS) {
            edge = { from, to: host, first: t, last: t, count: 0, logonType: type, users: new Set() };
            this.logons.set(key, edge);
          }
          if (edge) {
            edge.first = Math.min(edge.first, t);
            edge.last = Math.max(edge.last, t);
            edge.count++;
            if (edge.users.size < MAX_USERS_PER_EDGE) edge.users.add(user);
          }
        }
      }
    } else if (id === 7045 && channel === 'system') {
      const service = str(f.ServiceName);
      if (service && this.services.length < MAX_KEYS)
        this.services.push({ host, service, image: str(f.ImagePath) ?? '', time: t });
    } else if (id === 11 && channel.includes('sysmon')) {
      const image = str(f.Image);
      const target = str(f.TargetFilename);
      if (!image || !target) return;
      const byWebServer = WEB_SERVER_PROCESS.test(image);
      if (WEB_SCRIPT.test(target) && (byWebServer || WEB_ROOT.test(target))) {
        // A script the web server wrote is a web shell outright; one written into a web root by
        // anything else (ProxyLogon's OAB export writes as System) counts once the server runs it.
        this.#webAction(byWebServer ? this.webShells : this.webScripts, host, {
          time: t,
          what: target,
          by: image,
        });
      }
      const compiled = byWebServer ? ASPNET_COMPILED.exec(target) : null;
      if (compiled)
        this.#webAction(this.webCompiled, host, { time: t, what: compiled[1]!.toLowerCase(), by: image });
    } else if ((id === 1 && channel.includes('sysmon')) || (id === 4688 && channel === 'security')) {
      const image = str(f.Image) ?? str(f.NewProcessName);
      const parent = str(f.ParentImage) ?? str(f.ParentProcessName);
      if (!image || !parent) return;
      if (WEB_SERVER_PROCESS.test(parent) && !ASPNET_COMPILER.test(image))
        this.#webAction(this.webCommands, host, { time: t, what: str(f.CommandLine) ?? image, by: parent });
      const binary = sha256Of(str(f.Hashes)) ?? baseName(image);
      const key = `${binary}\0${baseName(parent)}`;
      let launch = this.launches.get(key);
      if (!launch && this.launches.size < MAX_KEYS) {
        launch = { binary, image, parent, hosts: new Map() };
        this.launches.set(key, launch);
      }
      if (launch && launch.hosts.size < MAX_HOSTS_PER_LAUNCH) {
        const seen = launch.hosts.get(host);
        if (seen === undefined || t < seen) launch.hosts.set(host, t);
      }
    } else if (id === 3 && channel.includes('sysmon')) {
      const ip = str(f.SourceIp);
      if (ip) this.#learnIp(ip, host);
      const dst = str(f.DestinationIp);
      if (ip && dst) this.#flow(this.flows, ip, dst, t, 0, 0);
    }
  }

  #webAction(table: Map<string, WebAction[]>, host: string, action: WebAction): void {
    let list = table.get(host);
    if (!list) {
      if (table.size >= MAX_KEYS) return;
      table.set(host, (list = []));
    }
    if (list.length < MAX_WEB_ACTIONS) list.push(action);
  }

  #learnIp(ip: string, name: string): void {
    if (!this.ipToHost.has(ip) && this.ipToHost.size < MAX_KEYS) this.ipToHost.set(ip, this.#host(name)!);
  }

  #flow(table: Map<string, Flow>, src: string, dst: string, t: number, out: number, back: number): void {
    const key = `${src}\0${dst}`;
    let flow = table.get(key);
    if (!flow) {
      if (table.size >= MAX_KEYS) return;
      flow = { src, dst, first: t, last: t, count: 0, bytesOut: 0, bytesIn: 0, times: [] };
      table.set(key, flow);
    }
    flow.first = Math.min(flow.first, t);
    flow.last = Math.max(flow.last, t);
    flow.count++;
    flow.bytesOut += out;
    flow.bytesIn += back;
    if (flow.times.length < MAX_FLOW_TIMES) flow.times.push(t);
  }
}

/** The collector's data as it crosses a worker boundary (structured clone keeps Maps and Sets). */
export type FactSnapshot = Pick<
  FactCollector,
  | 'detections'
  | 'ipToHost'
  | 'hostNames'
  | 'logons'
  | 'services'
  | 'launches'
  | 'flows'
  | 'webRequests'
  | 'webShells'
  | 'webScripts'
  | 'webCompiled'
  | 'webCommands'
  | 'firstTime'
  | 'lastTime'
>;

/** Adds what another collector (another worker's share of the files) saw. */
export function mergeFacts(into: FactCollector, from: FactSnapshot): void {
  into.detections.push(...from.detections);
  for (const [k, v] of from.ipToHost) if (!into.ipToHost.has(k)) into.ipToHost.set(k, v);
  for (const [k, v] of from.hostNames) if (!into.hostNames.has(k)) into.hostNames.set(k, v);
  for (const [k, e] of from.logons) {
    const mine = into.logons.get(k);
    if (!mine) into.logons.set(k, e);
    else {
      mine.first = Math.min(mine.first, e.first);
      mine.last = Math.max(mine.last, e.last);
      mine.count += e.count;
      e.users.forEach((u) => mine.users.add(u));
    }
  }
  into.services.push(...from.services);
  for (const [k, l] of from.launches) {
    const mine = into.launches.get(k);
    if (!mine) into.launches.set(k, l);
    else for (const [h, t] of l.hosts) mine.hosts.set(h, Math.min(t, mine.hosts.get(h) ?? Infinity));
  }
  for (const table of ['flows', 'webRequests'] as const) {
    for (const [k, f] of from[table]) {
      const mine = into[table].get(k);
      if (!mine) into[table].set(k, f);
      else {
        mine.first = Math.min(mine.first, f.first);
        mine.last = Math.max(mine.last, f.last);
        mine.count += f.count;
        mine.bytesOut += f.bytesOut;
        mine.bytesIn += f.bytesIn;
        mine.times.push(...f.times.slice(0, Math.max(0, 2_000 - mine.times.length)));
      }
    }
  }
  for (const table of ['webShells', 'webScripts', 'webCompiled', 'webCommands'] as const) {
    for (const [h, list] of from[table]) into[table].set(h, [...(into[table].get(h) ?? []), ...list]);
  }
  into.firstTime = Math.min(into.firstTime, from.firstTime);
  into.lastTime = Math.max(into.lastTime, from.lastTime);
}
