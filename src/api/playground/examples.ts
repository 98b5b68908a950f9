/**
 * The operations the playground opens with, one tab each, written against the
 * demo catalogue that `npm run seed` loads into the `products` collection
 * (seed/seed-products.ts: flat KEYWORD fields sku, name, category, brand, tags,
 * colour and the FLOAT price). The first tab is the one a visitor runs first,
 * so it works on an empty server and says how to load the catalogue.
 *
 * GraphiQL checks variables against a JSON schema it derives from their types
 * and knows nothing of custom scalars, so a `JSON`-typed variable holding an
 * object is underlined red: variables here are typed inputs, and the ingest
 * objects (typed JSON in the schema) are an inline literal instead.
 */
export interface ExampleOperation {
  query: string;
  variables?: string;
}

const hitFields = `id
      score
      fields
      source
      pageNumber
      thumbnailUrl`;

/** An 8×8 red PNG, generated once with sharp: the ingest example needs no network. */
const DEMO_IMAGE =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQI12O44KqDFTEMLQkAhJlQQWmDKlsAAAAASUVORK5CYII=';

export const EXAMPLE_OPERATIONS: readonly ExampleOperation[] = [
  {
    query: `# Start here: the collections on this server and how many documents each holds.
# Empty, or no "products"? Load the demo catalogue the other tabs search:
#   npm run seed
# (with SIGHTLINE_URL=http://<host>:<port>/graphql when Sightline is not on localhost:4000).
query Collections {
  collections {
    name
    documentCount
    featureExtractor {
      inputMappings { image }
      fieldPassthrough { sourcePath targetPath type }
    }
  }
}
`,
  },
  {
    query: `# Text → image search: SigLIP embeds the text, the store ranks images by cosine.
query TextSearch {
  search(collection: "products", query: { text: "a red running shoe" }, limit: 5) {
    hits {
      ${hitFields}
    }
    timing { embeddingMs searchMs totalMs }
  }
}
`,
  },
  {
    query: `# Product lookup: no query, only a filter (a typed FilterInput variable below),
# so matching products come back in a stable order.
query FilteredLookup($filter: FilterInput!) {
  search(collection: "products", filter: $filter, limit: 20) {
    hits {
      id
      fields
    }
  }
}
`,
    variables: JSON.stringify(
      {
        filter: {
          must: [
            { key: 'category', match: 'footwear' },
            { key: 'price', range: { lte: 120 } },
          ],
          mustNot: [{ key: 'brand', match: 'Northwind' }],
        },
      },
      null,
      2,
    ),
  },
  {
    query: `# Search with a text query and a filter on the passthrough fields.
query FilteredSearch($text: String!) {
  search(
    collection: "products"
    query: { text: $text }
    filter: { must: [{ key: "tags", any: ["kitchen", "coffee"] }] }
    limit: 5
  ) {
    hits {
      ${hitFields}
    }
  }
}
`,
    variables: JSON.stringify({ text: 'blue ceramic mug' }, null, 2),
  },
  {
    query: `# Ingest: each object's image comes from the field the collection maps (product_image):
# an http(s) URL, an s3:// URL, or base64 / data: URI bytes (here a tiny inline PNG,
# so this runs offline). Results come back per object.
mutation Ingest {
  ingest(
    collection: "products"
    objects: [
      {
        product_image: "${DEMO_IMAGE}"
        metadata: {
          sku: "SL-DEMO-1"
          name: "Ember Demo Runner"
          category: "footwear"
          brand: "Stride"
          price: 89.5
          tags: ["running", "demo"]
          colour: "red"
        }
      }
    ]
  ) {
    results {
      index
      status
      documentIds
      error { code message }
    }
    job { id state total done failed }
  }
}
`,
  },
];
