/// <reference lib="dom" />
import { MIN_SPAN } from './geometry.js';

/**
 * The visible part of the window, [v0, v1) in ms from `since`, and the plot's width in pixels. A
 * change is drawn at the next animation frame, once however many wheel or pointer events came.
 */
export class View {
  width = 0;
  plotW = 0;
  v0 = 0;
  v1: number;
  private frame = 0;

  /**
   * @param span the window's length (ms)
   * @param lo the earliest offset to pan to (a task that began before `since` can be scrolled into view)
   * @param draw redraws what depends on the view
   */
  constructor(
    readonly span: number,
    private readonly lo: number,
    private readonly draw: () => void,
  ) {
    this.v1 = span;
  }

  /** The x of an offset in the plot (pixels from its left edge). */
  xOf(offset: number): number {
    return ((offset - this.v0) / (this.v1 - this.v0)) * this.plotW;
  }

  /** The offset under a pixel distance from the plot's left edge. */
  offsetAt(x: number): number {
    return this.v0 + (x / this.plotW) * (this.v1 - this.v0);
  }

  set(a: number, b: number): void {
    const span = Math.min(Math.max(b - a, MIN_SPAN), this.span - this.lo);
    const from = b - a === span ? a : (a + b) / 2 - span / 2;
    this.v0 = Math.min(Math.max(from, this.lo), this.span - span);
    this.v1 = this.v0 + span;
    this.schedule();
  }

  /** Zooms by `factor` (< 1 in) keeping `offset` where it is. */
  zoomAt(factor: number, offset: number): void {
    this.set(offset - (offset - this.v0) * factor, offset + (this.v1 - offset) * factor);
  }

  zoomAround(factor: number): void {
    this.zoomAt(factor, (this.v0 + this.v1) / 2);
  }

  whole(): void {
    this.set(0, this.span);
  }

  panBy(px: number): void {
    const d = (px / this.plotW) * (this.v1 - this.v0);
    this.set(this.v0 + d, this.v1 + d);
  }

  /** Draws at once (on a resize, and at the start). */
  drawNow(): void {
    this.frame = 0;
    this.draw();
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drawNow());
  }
}
