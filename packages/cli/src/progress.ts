/**
 * A one-line progress display for long writes, redrawn in place on a terminal's stderr: rows
 * written, rate, elapsed time, and a bar when the input's size is known. It appears only after
 * the write has run for a moment, redraws at most a few times per second, and erases itself when
 * done, so short writes and redirected stderr see nothing.
 */
import type { ReadProgress } from '@deltakit/core/internal';

/** Where the display goes: a terminal stream. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Minimum milliseconds between redraws. Default 250 (4 per second). */
  readonly intervalMs?: number;
  /** Milliseconds before the first draw. Default 500. */
  readonly delayMs?: number;
  readonly now?: () => number;
}

/** Tracks rows written and redraws the line when enough time has passed. */
export class WriteProgress {
  private readonly started: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private readonly intervalMs: number;
  private readonly delayMs: number;
  private readonly now: () => number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly input: ReadProgress,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 250;
    this.delayMs = options.delayMs ?? 500;
    this.started = this.now();
  }

  /** Records `rows` written so far; redraws when due. */
  update(rows: number): void {
    const t = this.now();
    if (t - this.started < this.delayMs || t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.drawn = true;
    this.stream.write(`\r${progressLine(rows, t - this.started, this.input, this.stream.columns || 80)}\x1b[K`);
  }

  /** Erases the line, if one was drawn. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** A progress display on `stream` when it is a terminal; undefined otherwise. */
export function createWriteProgress(input: ReadProgress, stream: ProgressStream = process.stderr, options: ProgressOptions = {}): WriteProgress | undefined {
  return stream.isTTY === true ? new WriteProgress(stream, input, options) : undefined;
}

/** The text of the progress line (without control characters), at most `width` characters. */
export function progressLine(rows: number, elapsedMs: number, input: ReadProgress, width: number): string {
  const rate = elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : 0;
  const stats = `${grouped(rows)} rows  ${grouped(rate)} rows/s  ${clock(elapsedMs)}`;
  if (input.totalBytes <= 0) return `writing  ${stats}`.slice(0, width - 1);
  const fraction = Math.min(1, input.bytesRead / input.totalBytes);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const barWidth = Math.max(0, Math.min(30, width - 1 - stats.length - percent.length - 14));
  const filled = Math.round(fraction * barWidth);
  const bar = barWidth >= 5 ? `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ` : '';
  return `writing  ${bar}${percent}  ${stats}`.slice(0, width - 1);
}

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
