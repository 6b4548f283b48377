// "Mute for me" in words: the spans offered, until when a mute holds, why one ended.
import type { MuteEnd, MuteUntil } from '../protocol';

/** The spans offered wherever an issue can be muted for me, as the engine reads them. */
export const MUTE_SPANS: [string, string][] = [
  ['1h', 'for 1 hour'],
  ['tomorrow', 'until tomorrow'],
  ['release', 'until its next release'],
  ['escalates', 'until it escalates'],
];

const clock = (at: string) =>
  new Date(at).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

export function untilText(until: MuteUntil): string {
  switch (until.until) {
    case 'time':
      return `until ${clock(until.at)}`;
    case 'next_release':
      return "until its project's next release";
    case 'escalates':
      return 'until it escalates';
  }
}

export function endText(end: MuteEnd): string {
  switch (end.ended) {
    case 'time_up':
      return `the mute ended ${clock(end.at)}`;
    case 'released':
      return `release ${end.version} is out`;
    case 'escalated':
      return 'it escalated';
  }
}
