import type { JoinBurstResult } from '../join-burst.js';

/** A figure as bench/run.ts prints it. */
export interface BenchRow {
  figure: string;
  value: string;
  target: string;
  met: boolean;
  info?: boolean;
}

const ms = (n: number) => n.toFixed(0);
const per = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** The join benchmark's figures: the targets of issue 12's "Done when", and what to read them by. */
export function joinBurstRows(r: JoinBurstResult): BenchRow[] {
  const { join, email, simulator: sim } = r;
  const n = join.friends;
  const kinds = join.plexPerFriend;
  const jobExact = kinds.share === 1 && kinds['invite lookup'] === 1 && kinds.accept === 1 && kinds.verify === 1 && kinds.other === 0;
  const other = Object.entries(join.plexOther).map(([route, count]) => `${route} x${count}`).join(', ');
  const forReading = { target: 'none (for reading)', met: true, info: true };
  return [
    {
      figure: `join with Plex: ${n} friends at once (plex.tv +${r.plexLatencyMs} ms) in, share accepted on the simulator`,
      value: `${join.succeeded}/${n} (simulator: ${sim.acceptedShares} accepted, ${sim.withDefaultLibraries} with the default libraries, <= ${sim.maxSharesPerAccount} share and <= ${join.maxAcceptsPerFriend} accept per account)`,
      target: `= ${n}`,
      met: join.succeeded === n && sim.acceptedShares === n && sim.withDefaultLibraries === n && sim.maxSharesPerAccount === 1 && join.maxAcceptsPerFriend === 1,
    },
    {
      figure: 'join with Plex: plex.tv requests per join, the job (share + invite lookup + accept + verify; other)',
      value: `${per(kinds.share)} + ${per(kinds['invite lookup'])} + ${per(kinds.accept)} + ${per(kinds.verify)}; other ${per(kinds.other)}${other ? ` (${other})` : ''}`,
      target: '= 1 + 1 + 1 + 1; other 0',
      met: jobExact,
    },
    { figure: 'join with Plex: plex.tv requests per join, the sign-in (PIN create + PIN polls + account read)', value: `${per(kinds['PIN create'])} + ${per(kinds['PIN poll'])} + ${per(kinds['account read'])}`, ...forReading },
    {
      figure: `join with Plex: first POST to "You're in" (page polls 1 s, request page 4 s), p99`,
      value: `${ms(join.p99Ms)} ms (p50 ${ms(join.p50Ms)}, p95 ${ms(join.p95Ms)}, max ${ms(join.maxMs)}; ${join.pendingAtFirstLook} not yet in at the request page's first look)`,
      ...forReading,
    },
    {
      figure: "join with Plex: the friend's wait in parts, p50 / p95",
      value: Object.entries(join.parts).map(([part, t]) => `${part} ${ms(t.p50Ms)} / ${ms(t.p95Ms)} ms`).join('; '),
      ...forReading,
    },
    {
      figure: `join with Plex: one join's plex.tv requests, arrival to next arrival (${r.plexLatencyMs} ms is plex.tv's), p50 / p95`,
      value: (join.stepGaps ?? []).map((gap) => `${gap.step} ${ms(gap.p50Ms)} / ${ms(gap.p95Ms)}`).join('; '),
      ...forReading,
    },
    {
      figure: `email form, same run: ${email.friends} friends at once, POST / to "sent", p99`,
      value: `${ms(email.p99Ms)} ms (p50 ${ms(email.p50Ms)}, p95 ${ms(email.p95Ms)}, max ${ms(email.maxMs)}; ${email.succeeded}/${email.friends} sent, ${per(email.plexPerFriend.share)} share + ${per(email.plexPerFriend.other)} other plex.tv requests each)`,
      target: `= ${email.friends} sent`,
      met: email.succeeded === email.friends && sim.pendingEmailShares === email.friends,
    },
    {
      figure: 'CPU per friend, join with Plex | email form: Helpr, and the bench process (load + simulator)',
      value: `Helpr ${(join.helprCpuMs / n).toFixed(2)} | ${(email.helprCpuMs / email.friends).toFixed(2)} ms; bench ${(join.benchCpuMs / n).toFixed(2)} | ${(email.benchCpuMs / email.friends).toFixed(2)} ms`,
      ...forReading,
    },
  ];
}
