declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<{ url: string }>;
  export default component;
}
