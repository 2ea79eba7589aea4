/*
 * Shared by the RAG chat benchmarks: the evaluation questions, this repository's
 * catalog as the catalog would serve it (with relations).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { parseAllDocuments, parse } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface EvalQuestion {
  q: string;
  /** Source ids (`doc:<path>`, `entity:<ref>`); any one of them is a hit. */
  expected: string[];
}

/** A question set of bench/rag: `questions.yaml` (written from the docs) or `paraphrased.yaml`. */
export function loadQuestions(name = 'questions'): {
  questions: EvalQuestion[];
  /** Questions the platform's knowledge cannot answer (paraphrased.yaml only). */
  unanswerable: string[];
} {
  const file = path.join(REPO_ROOT, `bench/rag/${name}.yaml`);
  const parsed = parse(readFileSync(file, 'utf8'));
  return {
    questions: parsed.questions ?? [],
    unanswerable: parsed.unanswerable ?? [],
  };
}

/** The docs the portal indexes (app-config.yaml, ragChat.sources.docs.paths and extensions). */
export const DOC_PATHS = [
  'docs',
  'README.md',
  'catalog/README.md',
  'templates/README.md',
  ...[
    'README.md',
    'main.tf',
    'variables.tf',
    'outputs.tf',
    'helmfile.yaml',
    'namespaces.yaml',
    'helm',
    'manifests',
  ].map(f => `templates/eks-cluster/${f}`),
].map(p => path.join(REPO_ROOT, p));
export const DOC_EXTENSIONS = ['.md', '.tf', '.yaml'];

// Each relation the catalog derives from a spec field, with its reverse and the default kind.
const SPEC_RELATIONS: [string, string, string, string][] = [
  ['owner', 'ownedBy', 'ownerOf', 'group'],
  ['system', 'partOf', 'hasPart', 'system'],
  ['domain', 'partOf', 'hasPart', 'domain'],
  ['dependsOn', 'dependsOn', 'dependencyOf', 'component'],
  ['providesApis', 'providesApi', 'apiProvidedBy', 'api'],
  ['consumesApis', 'consumesApi', 'apiConsumedBy', 'api'],
  ['memberOf', 'memberOf', 'hasMember', 'group'],
  ['parent', 'childOf', 'parentOf', 'group'],
];

/**
 * catalog-info.yaml, catalog/*.yaml and templates/*\/template.yaml, with the relations
 * the catalog's processors would add (spec fields and their reverses), so that the
 * index sees what it sees in the portal without a running catalog.
 */
export function loadRepoEntities(): Entity[] {
  const files = [
    path.join(REPO_ROOT, 'catalog-info.yaml'),
    ...readdirSync(path.join(REPO_ROOT, 'catalog'))
      .filter(f => f.endsWith('.yaml'))
      .map(f => path.join(REPO_ROOT, 'catalog', f)),
    ...readdirSync(path.join(REPO_ROOT, 'templates'))
      .map(d => path.join(REPO_ROOT, 'templates', d, 'template.yaml'))
      .filter(f => existsSync(f)),
  ];
  const entities: Entity[] = files
    .flatMap(f => parseAllDocuments(readFileSync(f, 'utf8')))
    .map(d => d.toJSON() as Entity)
    .filter(e => e && e.kind !== 'Location');
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  for (const e of entities) e.relations = [];
  for (const e of entities) {
    const source = stringifyEntityRef(e);
    const spec = (e.spec ?? {}) as Record<string, unknown>;
    for (const [field, type, reverse, defaultKind] of SPEC_RELATIONS) {
      const value = spec[field];
      const targets = Array.isArray(value) ? value : [value];
      for (const target of targets) {
        if (typeof target !== 'string') continue;
        const targetRef = stringifyEntityRef(
          parseEntityRef(target, { defaultKind, defaultNamespace: 'default' }),
        );
        e.relations!.push({ type, targetRef });
        byRef
          .get(targetRef)
          ?.relations!.push({ type: reverse, targetRef: source });
      }
    }
  }
  return entities;
}
