/** Demo credentials: usable out of the box, printed at start, documented in the README. Not secrets. */
export const DEMO_PANDAPON = Object.freeze({
  accessKey: "58c0201dfdf148eca63cbf6bb5e7cf03",
  secret: "demo-secret-please-change",
  userId: "2100007341207",
});

export const DEMO_TOP = Object.freeze({
  appKey: "12345678",
  secret: "helloworld",
});

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 4010;
