/** A pattern Java would refuse (or one this translation cannot express), with Java's kind of message. */
export class JavaRegexError extends Error {}
