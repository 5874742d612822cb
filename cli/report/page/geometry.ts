/** The chart's fixed sizes, in CSS pixels: the label gutter, the axis, and the height of each kind of lane. */
export const GUTTER = 200;
export const AXIS = 28;
/** A task lane; its bar is BAR high, so bars of neighbouring lanes keep a gap. */
export const LANE = 10;
export const BAR = 8;
/** A container-instance lane. */
export const ILANE = 16;
/** A deployment lane. */
export const DLANE = 20;
/** A section or group heading. */
export const HEAD = 20;
/** The narrowest view (ms): zooming further shows nothing more, whole seconds being the events' precision. */
export const MIN_SPAN = 1000;

/** The plot's unit: bars are drawn in seconds from `since` (ms would make coordinates of 10⁷ and more). */
export const secs = (ms: number): number => Math.round(ms) / 1000;
