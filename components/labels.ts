/**
 * Labels of the Kubernetes objects cto creates itself: defined in templates/labels.ts, so that
 * `cto render` labels the objects it writes exactly as the components label what `cto up` creates.
 */
export * from "../templates/labels.js";
