import { describe, expect, it } from 'vitest';
import { localDayTime, resolveZoneId, splitWallMicros, utcToWallMicros, validateTimeZone, wallClockToUtcMicros, zoneOffsetSeconds } from '../../src/expr/datetime.js';
import { formatSparkTimestamp } from '../../src/expr/cast-text.js';

/**
 * Zone offsets and wall-clock conversions against Intl (an independent reading of the same tz
 * database) around every transition of zones with unusual histories, java.time's rules for gaps
 * and overlaps, Spark's zone ids, and the exactness of the double-based fast paths.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The offset of `zone` at `seconds`, read with Intl. */
function intlOffset(seconds: number, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(seconds * 1000)).map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!) / 1000;
  return wall - seconds;
}

/** Transitions of `zone` between 1970 and 2037: the first second of each new offset, found by bisection. */
function transitions(zone: string): { at: number; before: number; after: number }[] {
  const out: { at: number; before: number; after: number }[] = [];
  const step = 6 * 3600;
  let prev = intlOffset(0, zone);
  for (let t = step; t < 2_114_380_800; t += step) {
    const o = intlOffset(t, zone);
    if (o === prev) continue;
    let lo = t - step;
    let hi = t;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (intlOffset(mid, zone) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, before: prev, after: o });
    prev = o;
  }
  return out;
}

const ZONES = ['America/Los_Angeles', 'Europe/London', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Africa/Casablanca', 'Pacific/Apia', 'Pacific/Kiritimati', 'America/Santiago', 'Asia/Tehran'];

describe('zone offsets around transitions', () => {
  it.each(ZONES)('match Intl at every transition of %s, and resolve wall times as java.time', (zone) => {
    const list = transitions(zone);
    expect(list.length).toBeGreaterThan(0);
    const us = (s: number): bigint => BigInt(s) * 1_000_000n;
    for (const { at, before, after } of list) {
      for (const t of [at - 86401, at - 2, at - 1, at, at + 1, at + 86399]) {
        expect(zoneOffsetSeconds(t, zone), `${zone} at ${t}`).toBe(intlOffset(t, zone));
        expect(utcToWallMicros(us(t), zone) - us(t)).toBe(us(intlOffset(t, zone)));
        expect(utcToWallMicros(us(t) - 1n, zone) - us(t) + 1n).toBe(us(intlOffset(t - 1, zone)));
        const local = localDayTime(us(t) + 123n, zone);
        expect(BigInt(local.days) * 86_400_000_000n + BigInt(local.micros)).toBe(us(t + intlOffset(t, zone)) + 123n);
      }
      // Wall times around the transition: unique ones map back; in a gap java.time moves later by the
      // gap (the offset before applies); in an overlap it takes the earlier instant (offset before).
      const lo = Math.min(before, after);
      const hi = Math.max(before, after);
      for (const w of [at + lo - 1, at + lo, at + Math.floor((lo + hi) / 2), at + hi - 1, at + hi]) {
        const got = wallClockToUtcMicros(us(w), zone);
        const inside = w >= at + lo && w < at + hi;
        const want = inside ? w - before : w - (w < at + lo ? before : after);
        expect(got, `${zone}: wall ${w} near the transition at ${at}`).toBe(us(want));
      }
      if (before > after) {
        // In an overlap a preferred offset that is valid wins.
        const w = at + after;
        expect(wallClockToUtcMicros(us(w), zone, after)).toBe(us(w - after));
        expect(wallClockToUtcMicros(us(w), zone, before)).toBe(us(w - before));
      }
    }
  });
});

describe("Spark's zone ids", () => {
  it('accepts region names, short ids, Z, UTC/GMT/UT prefixes and offsets as ZoneId.of does', () => {
    const cases: [string, string | undefined][] = [
      ['America/Los_Angeles', 'America/Los_Angeles'], ['PST', 'America/Los_Angeles'], ['CST', 'America/Chicago'], ['EST', '-05:00'], ['MST', '-07:00'],
      ['Z', 'Z'], ['UTC', 'UTC'], ['GMT', 'GMT'], ['UT', 'UT'], ['UTC+8', 'UTC+08:00'], ['GMT-01:30', 'GMT-01:30'], ['UT+0', 'UT'],
      ['+8', '+08:00'], ['-08', '-08:00'], ['+0530', '+05:30'], ['+05:30', '+05:30'], ['+053015', '+05:30:15'], ['+05:30:15', '+05:30:15'],
      ['+7:3', '+07:03'], ['-1:00', '-01:00'], ['+00:00', 'Z'], ['+18:00', '+18:00'],
      ['+19:00', undefined], ['+05:3', '+05:03'], ['+0530:15', undefined], ['+5:30:15', '+05:30:15'], ['Mars/Olympus', undefined], ['UTC*42', undefined], ['', undefined], ['1234', undefined],
    ];
    for (const [id, want] of cases) expect(resolveZoneId(id), id).toBe(want);
    expect(() => validateTimeZone('Invalid time zone')).toThrow(/Unknown time zone "Invalid time zone"/);
    expect(zoneOffsetSeconds(0, '+05:30')).toBe(19_800);
    expect(zoneOffsetSeconds(0, 'EST')).toBe(-18_000);
  });
});

describe('double-based fast paths', () => {
  it('split wall-clock µs exactly over years 1-9999 and beyond 2^53', () => {
    const day = 86_400_000_000n;
    const samples: bigint[] = [];
    let x = 12345n;
    for (let i = 0; i < 5000; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      samples.push((x % 630_000_000_000_000_000n) - 315_000_000_000_000_000n);
    }
    for (const k of [-3_652_059n, -106_752n, -104_249n, -1n, 0n, 1n, 104_249n, 104_250n, 106_751n, 2_932_896n]) samples.push(k * day - 1n, k * day, k * day + 1n);
    samples.push(2n ** 53n, 2n ** 53n - 1n, -(2n ** 53n), 2n ** 53n + 86_399_999_999n);
    for (const w of samples) {
      const days = w >= 0n ? w / day : -((-w + day - 1n) / day);
      const { days: d, micros } = splitWallMicros(w);
      expect([BigInt(d), BigInt(micros)], String(w)).toEqual([days, w - days * day]);
      const local = localDayTime(w, 'UTC');
      expect(BigInt(local.days), String(w)).toBe(days);
      expect(BigInt(local.micros)).toBe(w - days * day);
    }
  });

  it('print timestamps as Spark at the limits of the range', () => {
    expect(formatSparkTimestamp(-62_135_596_800_000_000n)).toBe('0001-01-01 00:00:00');
    expect(formatSparkTimestamp(253_402_300_799_999_999n)).toBe('9999-12-31 23:59:59.999999');
    expect(formatSparkTimestamp(2n ** 53n)).toBe('2255-06-05 23:47:34.740992');
    expect(formatSparkTimestamp(-1n)).toBe('1969-12-31 23:59:59.999999');
    expect(formatSparkTimestamp(1_000n)).toBe('1970-01-01 00:00:00.001');
  });
});
