import { floor } from './floor.ts';
import { fluentPerObject } from './fluent.ts';
import { informerPerObject } from './informer.ts';
import { kubeletManager } from './kubelet.ts';
import { namespaceInformer } from './namespace-informer.ts';
import { ours, type OursOptions } from './ours.ts';
import type { Alternative, AlternativeName } from './types.ts';

export function createAlternative(name: AlternativeName, kubeconfigPath: string, options: OursOptions): Promise<Alternative> {
  switch (name) {
    case 'informer':
      return Promise.resolve(informerPerObject(kubeconfigPath));
    case 'ns-informer':
      return Promise.resolve(namespaceInformer(kubeconfigPath));
    case 'kubelet':
      return kubeletManager(kubeconfigPath);
    case 'fluent':
      return fluentPerObject(kubeconfigPath);
    case 'floor':
      return Promise.resolve(floor(kubeconfigPath));
    default:
      return Promise.resolve(ours(name, kubeconfigPath, options));
  }
}
