// Seconds as people say them, as the engine's notifications do: "40 s", "14 min", "3 h 5 min".
export function span(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const h = Math.floor(seconds / 3600);
  const d = Math.floor(seconds / 86_400);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${m} min`;
  if (seconds < 86_400) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
