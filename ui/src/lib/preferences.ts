// How the window names preferences, their values and their origins, and writes a value in the
// text form `sentry-tray-cli prefs` takes (the engine reads and checks it; nothing is decided here).
import type { AlertKind, Audience, DigestTimes, Field, Level, MuteRule, PreferencesFrom, ProjectPreferences, QuietHours } from '../protocol';

export const LEVELS: Level[] = ['debug', 'info', 'warning', 'error', 'fatal'];

export const AUDIENCES: [Audience, string][] = [
  ['everything', 'everything'],
  ['assigned', 'assigned to me/my teams'],
  ['owned', 'owned by me/my teams'],
  ['owned_or_assigned', 'owned or assigned'],
];

export const KINDS: [AlertKind, string][] = [
  ['new_issue', 'New issues'],
  ['regression', 'Regressions'],
  ['escalating', 'Escalating issues'],
  ['event_alert', 'Alert rules firing'],
  ['metric_alert', 'Metric alerts'],
  ['assigned_to_me', 'Issues assigned to me or my teams'],
  ['mentioned', 'Mentions of me or my teams'],
  ['comment_on_my_issue', 'Comments on my issues'],
  ['state_changed', 'Changes by others to my issues'],
  ['regressed_in_release', 'Regressed in a release'],
  ['release', 'New releases'],
  ['deploy', 'Deploys (to the watched environments)'],
];

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

/** Whose preferences an editor shows: a project, an account's defaults (`@org`) or everyone's (`*`). */
export type Scope = { project: string; org: string | null; label: string };

export function scopeOf(project: string, org: string | null, name?: string): Scope {
  if (project === '*') return { project, org: null, label: "Everyone's defaults" };
  if (project.startsWith('@')) return { project, org: project.slice(1), label: `${project.slice(1)}'s defaults` };
  return { project, org, label: name || project };
}

/** Where a value comes from, as the user reads it. */
export function originText(from: PreferencesFrom | undefined, org: string | null): string {
  switch (from) {
    case 'own':
      return 'set here';
    case 'account':
      return `from ${org ?? 'the account'}'s defaults`;
    case 'everyone':
      return "from everyone's defaults";
    default:
      return 'default';
  }
}

/** One line for a project row: how many preferences are its own, else what it follows. */
export function summary(settings: ProjectPreferences, org: string): string {
  const origins = Object.values(settings.from);
  const own = origins.filter((f) => f === 'own').length;
  if (own) return own === 1 ? '1 setting of its own' : `${own} settings of its own`;
  if (origins.includes('account')) return `follows ${org}'s defaults`;
  if (origins.includes('everyone')) return "follows everyone's defaults";
  return 'the defaults';
}

export function ownFields(settings: ProjectPreferences): Field[] {
  return (Object.entries(settings.from) as [Field, PreferencesFrom][]).filter(([, f]) => f === 'own').map(([k]) => k);
}

/** A window of quiet hours as the editor holds it. */
export type QuietWindow = { days: Day[]; start: string; end: string };

export function quietWindows(quiet: QuietHours | null): QuietWindow[] {
  return (quiet?.windows ?? []).map((w) => ({
    days: w.days.map((d) => d.slice(0, 3).toLowerCase() as Day),
    start: w.start.slice(0, 5),
    end: w.end.slice(0, 5),
  }));
}

/** `quiet_hours=` as `prefs` reads it: `ZONE DAYS HH:MM-HH:MM … [breakthrough]`. */
export function quietHoursText(zone: string, windows: QuietWindow[], breakthrough: boolean): string {
  const parts = windows.map((w) => `${DAYS.filter((d) => w.days.includes(d)).join(',') || 'daily'} ${w.start}-${w.end}`);
  return [zone.trim(), ...parts, ...(breakthrough ? ['breakthrough'] : [])].join(' ');
}

/** `digest_at=` as `prefs` reads it: `ZONE HH:MM,HH:MM`. */
export function digestAtText(zone: string, times: string): string {
  const list = times.split(/[\s,]+/).filter(Boolean).join(',');
  return `${zone.trim()} ${list}`;
}

export function digestTimes(at: DigestTimes | null): string {
  return (at?.times ?? []).map((t) => t.slice(0, 5)).join(', ');
}

export const MUTE_FIELDS: [MuteRule['field'], string][] = [
  ['title', 'Title'],
  ['culprit', 'Culprit'],
  ['message', 'Message'],
  ['tag', 'Tag (key=value)'],
];

/** A mute rule from what the user typed; null while it is not one yet. */
export function muteRule(field: MuteRule['field'], text: string): MuteRule | null {
  const value = text.trim();
  if (!value) return null;
  if (field !== 'tag') return { field, value };
  const at = value.indexOf('=');
  if (at <= 0) return null;
  return { field, value: [value.slice(0, at).trim(), value.slice(at + 1).trim()] };
}

export function describeRule(rule: MuteRule): string {
  if (rule.field === 'tag') return `tag ${rule.value[0]}=${rule.value[1]}`;
  const verb = /[*?[]/.test(rule.value) ? 'matches' : 'contains';
  return `${rule.field} ${verb} "${rule.value}"`;
}

/** The user's own time zone, where the system says it. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** A moment as the user's clock shows it. */
export function localTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Each preference's name, as the editor labels it. */
export const FIELD_LABELS: Record<Field, string> = {
  enabled: 'Notifications',
  min_level: 'Minimum level',
  environments: 'Environments',
  kinds: 'What notifies',
  audience: 'Whose alerts',
  quiet_hours: 'Quiet hours',
  snoozed_until: 'Snooze',
  spike_limit_per_hour: 'Spike limit',
  digest_up_to: 'Digest',
  digest_every_hours: 'Digest every',
  digest_at: 'Digest at set times',
  urgent_from: 'Urgent from',
  sound: 'Sound',
  expire_after: 'Notifications go away after',
  mute: 'Mute rules',
  local_rules: 'Ownership rules of my own',
};
