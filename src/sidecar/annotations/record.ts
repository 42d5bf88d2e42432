import type { Annotation } from '../../annotations/types.js';

/** One stored annotation: the model's fields, the slide it belongs to, and its place in creation order. */
export interface StoredAnnotation {
  slideId: string;
  annotation: Annotation;
  /**
   * Creation order, strictly increasing: the list's order (the fork sorted second-resolution times, then ids as
   * strings, so `…-10` came before `…-9`).
   */
  seq: number;
}
