# The dashboard as static files behind nginx, which also proxies /api to the API container.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build:web

FROM nginx:1.27-alpine
COPY --from=build /app/dist/web /usr/share/nginx/html
COPY docker/nginx.conf /etc/nginx/conf.d/default.conf
