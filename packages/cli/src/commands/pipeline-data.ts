/**
 * The landing files of `deltakit pipeline`: 12 JSON-lines files of orders, generated the same way
 * every run. Files 1–6 have `order_id, event_id, customer, status, amount, order_time`; from
 * file 7 records also carry `coupon` (a new column). File 4 has two malformed lines and one
 * amount that is not a number (it lands in `_rescued_data`). Later files move earlier orders
 * from `new` to `paid` to `shipped`.
 */
export interface LandingOrder {
  readonly order_id: number;
  readonly status: string;
}

export interface LandingFile {
  readonly name: string;
  readonly text: string;
  /** Lines in the file (each becomes one bronze row). */
  readonly records: number;
  /** The well-formed orders, in line order. */
  readonly orders: readonly LandingOrder[];
  readonly note?: string;
}

const CUSTOMERS = ['ada', 'bo', 'cy', 'dee', 'eli', 'fay', 'gus'];
const FILES = 12;
const NEW_PER_FILE = 16;

export function generateLanding(): LandingFile[] {
  const out: LandingFile[] = [];
  let nextId = 1;
  for (let f = 1; f <= FILES; f++) {
    const lines: string[] = [];
    const orders: LandingOrder[] = [];
    const notes: string[] = [];
    const record = (id: number, status: string, k: number) => {
      const o: Record<string, unknown> = {
        order_id: id,
        event_id: `f${String(f).padStart(2, '0')}-${String(k).padStart(2, '0')}`,
        customer: CUSTOMERS[id % CUSTOMERS.length],
        status,
        amount: ((id * 37) % 500) + 0.99,
        order_time: new Date(Date.UTC(2024, 2, 1, 8, 0, 0) + id * 60_000).toISOString(),
      };
      if (f >= 7) o.coupon = id % 3 === 0 ? 'SPRING10' : null;
      lines.push(JSON.stringify(o));
      orders.push({ order_id: id, status });
    };
    let k = 0;
    for (let i = 0; i < NEW_PER_FILE; i++) record(nextId++, 'new', k++);
    // Orders from two and four files back move on.
    if (f > 2) for (let id = (f - 3) * NEW_PER_FILE + 1; id <= (f - 3) * NEW_PER_FILE + 4; id++) record(id, 'paid', k++);
    if (f > 4) for (let id = (f - 5) * NEW_PER_FILE + 1; id <= (f - 5) * NEW_PER_FILE + 2; id++) record(id, 'shipped', k++);
    if (f === 4) {
      lines.push('{"order_id": 9999, "customer": "truncated');
      lines.push('not json at all');
      const bad = JSON.parse(lines[0]!) as Record<string, unknown>;
      lines[0] = JSON.stringify({ ...bad, amount: 'twelve' });
      notes.push('2 malformed lines, 1 amount that is not a number');
    }
    if (f === 7) notes.push('new column: coupon');
    const name = `orders-${String(f).padStart(3, '0')}.json`;
    out.push({ name, text: lines.join('\n') + '\n', records: lines.length, orders, ...(notes.length ? { note: notes.join('; ') } : {}) });
  }
  return out;
}
