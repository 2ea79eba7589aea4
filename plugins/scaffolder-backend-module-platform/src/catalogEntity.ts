import {
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  domainEntityV1alpha1Validator,
  Entity,
  EntityPolicy,
  FieldFormatEntityPolicy,
  groupEntityV1alpha1Validator,
  KindValidator,
  locationEntityV1alpha1Validator,
  NoForeignRootFieldsEntityPolicy,
  parseEntityRef,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';

/** The catalog's default entity policies (what its processing enforces on every entity). */
const POLICIES: EntityPolicy[] = [
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
];

/** The built-in kinds' schemas, as the catalog's BuiltinKindsEntityProcessor checks them. */
const KIND_VALIDATORS: KindValidator[] = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
];

/** Entity references of the built-in kinds, which the catalog turns into relations. */
const REFERENCES: { field: string; defaultKind: string }[] = [
  { field: 'owner', defaultKind: 'group' },
  { field: 'system', defaultKind: 'system' },
  { field: 'domain', defaultKind: 'domain' },
  { field: 'subcomponentOf', defaultKind: 'component' },
  { field: 'dependsOn', defaultKind: 'component' },
  { field: 'dependencyOf', defaultKind: 'component' },
  { field: 'providesApis', defaultKind: 'api' },
  { field: 'consumesApis', defaultKind: 'api' },
  { field: 'parent', defaultKind: 'group' },
];

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/**
 * What the catalog would reject in an entity, checked with the catalog model's own policies
 * and kind validators (every failing one, not only the first), and its entity references.
 * Empty when the catalog accepts it.
 */
export async function catalogEntityProblems(
  entity: unknown,
): Promise<string[]> {
  const problems: string[] = [];
  for (const policy of POLICIES) {
    try {
      await policy.enforce(structuredClone(entity) as Entity);
    } catch (error) {
      problems.push(message(error));
    }
  }
  if (problems.length > 0) return problems;
  for (const validator of KIND_VALIDATORS) {
    try {
      await validator.check(entity as Entity);
    } catch (error) {
      problems.push(message(error));
    }
  }
  const spec = (entity as Entity).spec ?? {};
  for (const { field, defaultKind } of REFERENCES) {
    const value = spec[field];
    for (const ref of Array.isArray(value) ? value : [value]) {
      if (ref === undefined || ref === null) continue;
      try {
        parseEntityRef(String(ref), {
          defaultKind,
          defaultNamespace: 'default',
        });
      } catch (error) {
        problems.push(`spec.${field}: ${message(error)}`);
      }
    }
  }
  return problems;
}
