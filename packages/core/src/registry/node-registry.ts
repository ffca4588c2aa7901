import { behaviourVersion, type NodeDefinition } from '@budflow/node-sdk';
import { closest, distance } from 'fastest-levenshtein';
import type { NodeRegistry, ResolvedNodeType } from '../ports.js';

interface Entry {
  definition: NodeDefinition;
  /** Accepted typeVersions under this name; undefined = any. */
  versions: readonly number[] | undefined;
}

/**
 * A registry of node definitions answering to BudFlow names (`budflow.set`) and to the n8n
 * names they declare in `compat.n8n` (`n8n-nodes-base.set`, for the listed typeVersions).
 */
export function createNodeRegistry(definitions: Iterable<NodeDefinition>): NodeRegistry {
  const byName = new Map<string, Entry>();
  const all: NodeDefinition[] = [];
  const add = (name: string, entry: Entry) => {
    if (byName.has(name)) throw new Error(`node type '${name}' is registered twice`);
    byName.set(name, entry);
  };
  for (const definition of definitions) {
    all.push(definition);
    add(definition.type, { definition, versions: undefined });
    const n8n = definition.compat?.n8n;
    if (n8n && n8n.type !== definition.type) add(n8n.type, { definition, versions: n8n.versions });
  }
  return {
    resolve(type, typeVersion): ResolvedNodeType | undefined {
      const entry = byName.get(type);
      if (!entry) return undefined;
      if (entry.versions && typeVersion !== undefined && !entry.versions.includes(typeVersion)) {
        return undefined;
      }
      return {
        definition: entry.definition,
        typeVersion: behaviourVersion(entry.definition, type, typeVersion),
      };
    },
    versionsOf: (type) => {
      const entry = byName.get(type);
      return entry ? (entry.versions ?? [entry.definition.version]) : undefined;
    },
    typeNames: () => [...byName.keys()],
    definitions: () => all,
  };
}

/** The known type name closest to `type`, for "did you mean" hints. */
export function closestTypeName(registry: NodeRegistry, type: string): string | undefined {
  const names = registry.typeNames();
  if (names.length === 0) return undefined;
  const short = (name: string) => (name.split('.').pop() ?? name).toLowerCase();
  const wanted = short(type);
  const exact = names.find((n) => short(n) === wanted);
  if (exact) return exact;
  const shorts = names.map(short);
  const best = closest(wanted, shorts);
  if (distance(wanted, best) > Math.max(2, Math.floor(wanted.length / 3))) return undefined;
  const prefix = type.includes('.') ? type.slice(0, type.lastIndexOf('.') + 1) : '';
  const candidates = names.filter((n) => short(n) === best);
  return candidates.find((n) => n.startsWith(prefix)) ?? candidates[0];
}

/** Merges registries; earlier ones win. */
export function combineRegistries(...registries: NodeRegistry[]): NodeRegistry {
  return {
    resolve: (type, version) => {
      for (const r of registries) {
        const found = r.resolve(type, version);
        if (found) return found;
      }
      return undefined;
    },
    versionsOf: (type) => {
      for (const r of registries) {
        const found = r.versionsOf(type);
        if (found) return found;
      }
      return undefined;
    },
    typeNames: () => [...new Set(registries.flatMap((r) => r.typeNames()))],
    definitions: () => registries.flatMap((r) => r.definitions()),
  };
}
