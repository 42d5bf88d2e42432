/**
 * The package's version, written here rather than read from package.json at run time so the browser build has it too
 * (the viewer's kept pixels name the version that made them). `test/package-version.test.ts` keeps it equal to
 * package.json's.
 */
export const PACKAGE_VERSION = '0.1.0';
