/** "N other sessions were signed out", in words. */
export function otherSessionsText(count: number): string {
  return `${count} other ${count === 1 ? 'session was' : 'sessions were'} signed out`;
}
