/** Counters for one security category, printed as one line at the end of its test file. */
export class Tally {
  requests = 0;
  serverErrors = 0;
  leaks = 0;
  readonly extras = new Map<string, number>();
  readonly notes: string[] = [];
  constructor(readonly category: string) {}
  add(name: string, by = 1): void {
    this.extras.set(name, (this.extras.get(name) ?? 0) + by);
  }
  line(): string {
    const extras = [...[...this.extras].map(([k, v]) => `${v} ${k}`), ...this.notes].map((e) => `, ${e}`).join('');
    return `${this.category}: ${this.requests} requests, ${this.serverErrors} 5xx, ${this.leaks} leaks${extras}`;
  }
}
