// The oldest Node.js the package runs on, checked before anything else loads.
//
// Imported first by every entry point (the package root, ./apiserver,
// ./testing and the kom CLI). ES modules evaluate their imports in order, so
// this module throws before undici or @kubernetes/client-node evaluate: on an
// older Node.js they crash with "Cannot read properties of undefined (reading
// 'bind')", which says nothing of the cause. Keep this module free of imports
// (node: builtins at most) and of syntax newer than the oldest Node.js that
// should still read the message.

/** The oldest supported Node.js: the `engines` field of package.json, and what undici 8 needs. */
export const minimumNodeVersion = { major: 22, minor: 19 } as const;

/**
 * Why `version` (as in `process.versions.node`, e.g. "22.19.0"; a leading
 * "v" is accepted) cannot run the package, or undefined when it can. A
 * version that cannot be read as MAJOR.MINOR[.PATCH] is refused too: the
 * message then shows what was found.
 */
export function unsupportedNodeMessage(version: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.-]*)?$/.exec(version);
  if (match !== null) {
    const major = Number(match[1]);
    const minor = Number(match[2]);
    const { major: needMajor, minor: needMinor } = minimumNodeVersion;
    if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  }
  const shown = version.startsWith('v') ? version : `v${version}`;
  return `kube-object-manager needs Node.js >= ${minimumNodeVersion.major}.${minimumNodeVersion.minor}, this is ${shown}`;
}

const problem = unsupportedNodeMessage(process.versions.node);
if (problem !== undefined) throw new Error(problem);
