/** Golden playlists are imported as text (Vite `?raw`) because workerd tests cannot read files. */
declare module "*.m3u8?raw" {
  const text: string;
  export default text;
}
