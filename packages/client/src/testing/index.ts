/** `@latchkey/client/testing`: reading back the PDFs the SDK makes, for other packages' tests (the web app's kits). */
export * from './pdf-text.ts';
export * from './software-authenticator.ts';
