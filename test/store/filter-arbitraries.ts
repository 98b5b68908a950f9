/** fast-check generators for payloads and filters over a small, colliding vocabulary. */
import fc from 'fast-check';
import type { Condition, Filter } from '../../src/store/filter.ts';
import { id } from './conformance.ts';

const scalar = fc.oneof(
  fc.constantFrom('x', 'y', 'z', ''),
  fc.integer({ min: -2, max: 2 }),
  fc.constantFrom(0.5, 1.5, -1.5),
  fc.boolean(),
  fc.constant(null),
);
const leaf = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }) },
);
const inner = fc.record({ a: leaf, b: leaf }, { requiredKeys: [] });

export const payloadArb = fc.record(
  {
    a: leaf,
    b: leaf,
    c: leaf,
    o: fc.oneof(inner, leaf),
    items: fc.oneof(fc.array(inner, { maxLength: 3 }), leaf),
  },
  { requiredKeys: [] },
);

const keyArb = fc.constantFrom('a', 'b', 'c', 'o.a', 'o.b', 'items[].a', 'items[]', 'items.a', 'a[]', 'missing', 'o');
const stringList = fc.array(fc.constantFrom('x', 'y', 'z', ''), { maxLength: 3 });
const intList = fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 3 });
const bound = fc.option(fc.constantFrom(-2, -1, 0, 0.5, 1, 1.5, 2), { nil: undefined });

const fieldArb: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ key: keyArb, match: fc.record({ value: fc.oneof(fc.constantFrom('x', 'y', ''), fc.integer({ min: -2, max: 2 }), fc.boolean()) }) }),
  fc.record({ key: keyArb, match: fc.record({ any: fc.oneof(stringList, intList) }) }),
  fc.record({ key: keyArb, match: fc.record({ except: fc.oneof(stringList, intList) }) }),
  fc
    .record({ gt: bound, gte: bound, lt: bound, lte: bound })
    .filter((r) => Object.values(r).some((v) => v !== undefined))
    .chain((range) => keyArb.map((key) => ({ key, range: JSON.parse(JSON.stringify(range)) as typeof range }))),
  keyArb.map((key) => ({ is_empty: { key } })),
  keyArb.map((key) => ({ is_null: { key } })),
  fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 4 }).map((ns) => ({ has_id: ns.map(id) })),
);

export const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ filter: Filter; condition: Condition }>((tie) => ({
  condition: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fieldArb, tie('filter')),
  filter: fc.record(
    {
      must: fc.array(tie('condition'), { maxLength: 3 }),
      should: fc.array(tie('condition'), { maxLength: 3 }),
      must_not: fc.array(tie('condition'), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
})).filter;
