import { parseModelAnswer } from "../../lambda/model-response";

const body = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));

describe("parseModelAnswer", () => {
  it("sorts classify predictions by score and keeps only label and score", () => {
    // Act
    const answer = parseModelAnswer(
      "classify",
      body({
        predictions: [
          { label: "a", score: 0.1, extra: 1 },
          { label: "b", score: 0.9 },
        ],
      }),
      5,
    );

    // Assess
    expect(answer).toEqual({
      predictions: [
        { label: "b", score: 0.9 },
        { label: "a", score: 0.1 },
      ],
    });
  });

  it("accepts the Hugging Face toolkit's bare list", () => {
    // Act
    const answer = parseModelAnswer(
      "classify",
      body([
        { score: 0.3, label: "x" },
        { score: 0.6, label: "y" },
      ]),
      1,
    );

    // Assess
    expect(answer).toEqual({ predictions: [{ label: "y", score: 0.6 }] });
  });

  it.each([
    ["all labels of a 2-label model", 2, 2],
    ["the endpoint's default of 5", 5, 5],
    ["a container that sends every label, cut to 5", 7, 5],
  ])("accepts %s when no top_k was given", (_name, sent, kept) => {
    // Prepare
    const predictions = Array.from({ length: sent }, (_, i) => ({ label: `l${i}`, score: (i + 1) / 100 }));

    // Act
    const answer = parseModelAnswer("classify", body({ predictions }), undefined) as { predictions: unknown[] };

    // Assess
    expect(answer.predictions).toHaveLength(kept);
    expect(answer.predictions[0]).toEqual({ label: `l${sent - 1}`, score: sent / 100 });
  });

  it("returns the embedding with its dimension", () => {
    // Act / Assess
    expect(parseModelAnswer("embed", body({ embedding: [0.6, 0.8], dim: 2 }), 5)).toEqual({ embedding: [0.6, 0.8], dim: 2 });
  });

  it.each([
    ["classify", "not json"],
    ["classify", { predictions: [{ label: "x", score: "high" }] }],
    ["classify", { predictions: [{ label: "x", score: null }] }],
    ["embed", { embedding: [] }],
    ["embed", { embedding: [0.1, "x"] }],
    ["embed", { embedding: [0.1, 0.2], dim: 3 }],
    ["embed", { predictions: [] }],
  ] as const)("refuses a %s answer %j with bad_model_response", (task, value) => {
    // Act / Assess
    expect(() => parseModelAnswer(task, body(value), 5)).toThrow(expect.objectContaining({ code: "bad_model_response", status: 502 }));
  });
});
