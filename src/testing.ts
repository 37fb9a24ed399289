// Entry point `kube-object-manager/testing`: what tests of code built on the
// library need to drive it without a cluster or real time.
import './util/node-version.ts'; // first: refuses an unsupported Node.js before any dependency loads
export { FakeClock } from './util/fake-clock.ts';
export { FakeObjectSource, type RecordedCall } from './testing/fake-source.ts';
export { WatchStream } from './testing/watch-stream.ts';
export { startControlPlane, type ControlPlane, type ControlPlaneOptions, type ControlPlaneUser } from './testing/control-plane.ts';
export { findControlPlaneBinaries, hasControlPlaneBinaries, type ControlPlaneBinaries } from './testing/control-plane-binaries.ts';
