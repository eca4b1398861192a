/** The bundle's entry file under `root` (the checkout), or undefined when there is none or it is stale (bin/current-bundle.js). */
export function currentBundle(root: string): string | undefined;
