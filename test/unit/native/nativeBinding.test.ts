/** Loading the addon: what a user sees when it is not built. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileForChild, type ChildTree } from '../../support/nativeChildTree.js';

describe('native addon loader', () => {
  let tree: ChildTree | undefined;

  afterAll(() => tree?.remove());

  it('says the addon is not built, and how to build it, instead of a bare module-not-found', async () => {
    tree = compileForChild(['src/native/binding.ts']);
    rmSync(join(tree.root, 'build')); // a copy of the sources with no build/ anywhere above it
    const loader = (await import(pathToFileURL(join(tree.root, 'src/native/binding.js')).href)) as typeof import('../../../src/native/binding.js');
    expect(() => loader.nativeBinding()).toThrow(
      expect.objectContaining({
        name: 'NativeAddonError',
        code: 'ERR_SYNTONIC_NATIVE',
        message: expect.stringMatching(/^the native addon is not built .*run `npm install` in the syntonic package .*needs g\+\+, make and python3/),
      }),
    );
  });
});
