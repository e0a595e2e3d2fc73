// `/assets/limits.js` is made by the server (src/http/assets/generated.rs); this is its shape.
export const LIMITS: Readonly<Limits>;
