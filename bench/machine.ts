import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** One line naming the machine a run came from: CPU model, cores, memory, Node version, load at start. */
export function machineLine(): string {
  const cpu = cpus();
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${gib(totalmem())} GiB (${gib(freemem())} free), Node ${process.version}, load ${load}`;
}
