/**
 * The operations the playground opens with, one tab each, written against the
 * demo catalogue that `npm run seed` loads into the `products` collection.
 * The first tab is the one a visitor runs first: a text search.
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

export const EXAMPLE_OPERATIONS: readonly ExampleOperation[] = [
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
    query: `# Product lookup: no query, only a filter, so matching products come back in a stable order.
query FilteredLookup {
  search(
    collection: "products"
    filter: {
      must: [
        { key: "category", match: "footwear" }
        { key: "price", range: { lte: 120 } }
      ]
      mustNot: [{ key: "brand", match: "Northwind" }]
    }
    limit: 20
  ) {
    hits {
      id
      fields
    }
  }
}
`,
  },
  {
    query: `# Search with a text query and a filter on the passthrough fields.
query FilteredSearch {
  search(
    collection: "products"
    query: { text: "blue ceramic mug" }
    filter: { must: [{ key: "tags", any: ["kitchen", "coffee"] }] }
    limit: 5
  ) {
    hits {
      ${hitFields}
    }
  }
}
`,
  },
  {
    query: `# Ingest: each object's image comes from the field the collection maps (product_image):
# an http(s) URL, an s3:// URL, or base64 / data: URI bytes. Results come back per object.
mutation Ingest($objects: [JSON!]!) {
  ingest(collection: "products", objects: $objects) {
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
    variables: JSON.stringify(
      {
        objects: [
          {
            product_image: 'https://example.com/images/ember-trail-runner.png',
            metadata: {
              sku: 'SL-DEMO-1',
              name: 'Ember Trail Runner',
              category: 'footwear',
              brand: 'Stride',
              price: 89.5,
              tags: ['running', 'outdoor'],
            },
          },
        ],
      },
      null,
      2,
    ),
  },
  {
    query: `# The collection the seed creates, with its extractor configuration.
query Collections {
  collections {
    name
    featureUri
    documentCount
    featureExtractor {
      featureExtractorName
      version
      inputMappings { image }
      fieldPassthrough { sourcePath targetPath required }
      parameters { enableThumbnails }
    }
  }
}
`,
  },
];
