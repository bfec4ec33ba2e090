// A Response that also keeps its content in the form it was made in: a string,
// or a source of SSE frames. The edges that own a Node socket (cli/serve.ts,
// the Lambda shell) write that content straight out; anything else reads
// `body` like any Response. Going through a web stream costs a promise, a
// copy and an encode per frame on the hottest path there is.

/** SSE frames as they become ready. */
export interface FrameSource {
  frames: AsyncGenerator<string, void, undefined>;
  /** The reader went away: record it (the generation is cancelled) and stop the frames. */
  cancel(): Promise<void>;
}

export class DirectResponse extends Response {
  /** The headers as given, for a writer that sets them on a Node response. */
  readonly headerRecord: Readonly<Record<string, string>>;

  constructor(
    readonly content: string | FrameSource,
    status: number,
    headers: Record<string, string>,
  ) {
    super(typeof content === 'string' ? content : frameStream(content), { status, headers });
    this.headerRecord = headers;
  }
}

/**
 * The frames as a byte stream, for readers of `body`; each frame is one
 * chunk. No frame is taken before somebody reads (a high-water mark of 0):
 * an edge that writes the frames itself must get every one of them.
 */
function frameStream(source: FrameSource): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await source.frames.next();
        if (next.done === true) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      cancel: () => source.cancel(),
    },
    { highWaterMark: 0 },
  );
}
