// OpenAI-style content parts → Gemini parts. Inline data goes as base64
// `inlineData`; remote files go by reference as `fileData`, which needs a
// MIME type the URL alone does not give us, so it is guessed from the path.
import type { ContentPart } from '../../api/chat-request.ts';
import { invalidRequest } from '../../api/errors.ts';
import type { GeminiPart } from './request-types.ts';

const mimeByExtension: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  wav: 'audio/wav',
  mp3: 'audio/mp3',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  aac: 'audio/aac',
  mp4: 'video/mp4',
  mov: 'video/mov',
  webm: 'video/webm',
};

/** The MIME type a URL's file extension suggests, or `fallback`. */
export function guessMimeType(url: string, fallback: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not an absolute URL: use it as a path.
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (extension !== undefined ? mimeByExtension[extension] : undefined) ?? fallback;
}

const dataUrlPattern = /^data:([^;,]+)((?:;[^;,]*)*?);base64,(.*)$/s;

/** A `data:` URL as inline data, or a remote URL as a file reference. */
export function mediaPart(url: string, fallbackMime: string, field: string): GeminiPart {
  if (url.startsWith('data:')) {
    const match = dataUrlPattern.exec(url);
    if (match === null) throw invalidRequest(`\`${field}\` must be a base64 data URL or an http(s) URL`, { field });
    return { inlineData: { mimeType: match[1] as string, data: match[3] as string } };
  }
  if (/^https?:\/\//i.test(url) || url.startsWith('gs://')) {
    return { fileData: { mimeType: guessMimeType(url, fallbackMime), fileUri: url } };
  }
  throw invalidRequest(`\`${field}\` must be a base64 data URL or an http(s) URL`, { field });
}

/** One caller content part as a Gemini part; `field` names it in errors. */
export function contentPartToGemini(part: ContentPart, field: string): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image_url':
      return mediaPart(part.image_url.url, 'image/jpeg', `${field}.image_url.url`);
    case 'input_audio':
      return { inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data } };
    case 'video_url':
    case 'input_video':
      return mediaPart(part.video_url.url, 'video/mp4', `${field}.video_url.url`);
    case 'file': {
      const data = part.file.file_data;
      if (data === undefined) {
        // Gemini cannot resolve another API's file ids.
        throw invalidRequest(`\`${field}.file\` needs \`file_data\` for this provider`, { field: `${field}.file` });
      }
      const fallback = part.file.filename !== undefined ? guessMimeType(part.file.filename, 'application/pdf') : 'application/pdf';
      return mediaPart(data, fallback, `${field}.file.file_data`);
    }
  }
}

/** String or part-list content as Gemini parts. */
export function contentToGemini(content: string | readonly ContentPart[], field: string): GeminiPart[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part, index) => contentPartToGemini(part, `${field}[${index}]`));
}
