import { informerPerObject } from './informer.ts';
import { ours, type OursOptions } from './ours.ts';
import type { Alternative, AlternativeName } from './types.ts';

export function createAlternative(name: AlternativeName, kubeconfigPath: string, options: OursOptions): Alternative {
  return name === 'informer' ? informerPerObject(kubeconfigPath) : ours(name, kubeconfigPath, options);
}
