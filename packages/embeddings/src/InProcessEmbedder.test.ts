import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EMBEDDING_DIMENSIONS,
  InProcessEmbedder,
  defaultModelDir,
  missingModelFiles,
} from './InProcessEmbedder';

/*
 * The real model (scripts/sandbox model fetch puts its files in defaultModelDir();
 * scripts/test.sh fetches them before the tests).
 */
const modelDir = process.env.EMBEDDINGS_MODEL_DIR ?? defaultModelDir();

const dot = (a: Float32Array, b: Float32Array) =>
  a.reduce((sum, x, i) => sum + x * b[i], 0);

describe('InProcessEmbedder', () => {
  let embedder: InProcessEmbedder;

  beforeAll(async () => {
    const missing = missingModelFiles(modelDir);
    if (missing.length > 0) {
      throw new Error(
        `${missing.join(
          ', ',
        )} missing from ${modelDir}: run scripts/sandbox model fetch`,
      );
    }
    embedder = await InProcessEmbedder.start({ modelDir });
  });

  afterAll(() => embedder?.close());

  it('embeds into unit vectors where a paraphrase sharing no word is nearer than an unrelated text', async () => {
    const { vectors, tokens } = await embedder.embed([
      'How do I see why my consumers fall behind?',
      'Inspecting the delay of message processing by subscribers',
      'The cafeteria serves lunch from noon on Fridays',
    ]);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
      expect(dot(v, v)).toBeCloseTo(1, 4);
    }
    expect(dot(vectors[0], vectors[1])).toBeGreaterThan(
      dot(vectors[0], vectors[2]) + 0.1,
    );
    expect(tokens).toBeGreaterThan(20);
  });

  it('gives each text the vector it has alone, in order, across batches of mixed lengths', async () => {
    const texts = Array.from({ length: 37 }, (_, i) =>
      `text ${i}: ${'kafka lag partitions '.repeat(i % 7)}`.trim(),
    );
    const together = await embedder.embed(texts);
    expect(together.vectors).toHaveLength(texts.length);
    for (const i of [0, 5, 16, 36]) {
      const [alone] = (await embedder.embed([texts[i]])).vectors;
      expect(dot(alone, together.vectors[i])).toBeCloseTo(1, 4);
    }
  });

  it('answers requests made at once, each with its own texts', async () => {
    const [a, b] = await Promise.all([
      embedder.embed(['GPU inference']),
      embedder.embed(['Kafka consumer lag', 'GPU inference']),
    ]);
    expect(dot(a.vectors[0], b.vectors[1])).toBeCloseTo(1, 4);
    expect(dot(a.vectors[0], b.vectors[0])).toBeLessThan(0.9);
  });
});

describe('InProcessEmbedder with a broken model folder', () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'embeddings-test-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach(d => rmSync(d, { recursive: true })));

  it('names the folder and the files missing from it', async () => {
    const dir = folder();
    await expect(InProcessEmbedder.start({ modelDir: dir })).rejects.toThrow(
      `the model files model.onnx, tokenizer.json, tokenizer_config.json are missing from ${dir}`,
    );
  });

  it('says the model cannot be loaded when model.onnx is not a model', async () => {
    const dir = folder();
    for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
      copyFileSync(join(modelDir, name), join(dir, name));
    }
    writeFileSync(join(dir, 'model.onnx'), 'not a model');
    await expect(InProcessEmbedder.start({ modelDir: dir })).rejects.toThrow(
      /^cannot load the embedding model: /,
    );
  });
});
