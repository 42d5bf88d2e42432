import { createApp, h } from 'vue';
import SlideViewer from './SlideViewer.vue';

const slide = new URLSearchParams(location.search).get('slide') ?? 'https://example.org/slides/CMU-1-Small-Region.svs';
createApp({ render: () => h(SlideViewer, { url: slide }) }).mount('#app');
