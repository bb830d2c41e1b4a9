/** The last `capacity` log lines (as written), for crash dumps. */
export class LogRing {
  private readonly lines: (string | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 500) {
    this.lines = new Array<string | undefined>(capacity);
  }

  push(line: string): void {
    this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Oldest first. */
  snapshot(): string[] {
    const out: string[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) out.push(this.lines[(start + i) % this.capacity] as string);
    return out;
  }
}
