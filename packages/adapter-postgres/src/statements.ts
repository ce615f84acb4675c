import { createHash } from 'node:crypto';

/**
 * Names for server-side prepared statements, keyed by SQL text, in a bounded LRU.
 *
 * A statement is named from its second sighting on, so one-off queries never occupy a slot on the server.
 * The name is a hash of the text: the drivers cache name -> text per connection and refuse a name reused for
 * another text, and a hash gives the same name to the same text however often it leaves and re-enters the LRU.
 */
export class StatementNames {
  private readonly seen = new Map<string, string | null>();
  private readonly refused = new Set<string>();

  constructor(private readonly capacity = 256) {}

  /** The name to prepare `sql` under, or undefined to run it unnamed this time. */
  nameFor(sql: string): string | undefined {
    if (this.refused.has(sql)) return undefined;
    const prior = this.seen.get(sql);
    this.seen.delete(sql);
    const name = prior === undefined ? null : (prior ?? `forge_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`);
    this.seen.set(sql, name);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    return name ?? undefined;
  }

  /**
   * Never name `sql` again: its cached plan went stale (a schema change altered the result type, 0A000)
   * and the driver would keep reusing the stale statement under that name.
   */
  refuse(sql: string): void {
    this.seen.delete(sql);
    if (this.refused.size >= this.capacity) this.refused.clear();
    this.refused.add(sql);
  }
}
