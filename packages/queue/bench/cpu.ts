import { readdirSync, readFileSync } from 'node:fs';
/** CPU ms of processes by command name (Linux /proc), for per-execution CPU figures. */
export function cpuByName(names: string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const name = names.find((n) => comm.startsWith(n));
    if (!name) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out[name]! += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  }
  return out;
}
export function cpuOfPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}
