# The dashboard as static files behind nginx, which also proxies /api to the API container.
# HTTPS only; a self-signed certificate is made at first start (web-tls.sh) unless one is given.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build:web

FROM nginx:1.27-alpine
# The one name the proxy answers for (nginx.conf); compose sets it, this is for the image alone.
ENV TLS_HOSTNAME=localhost
RUN apk add --no-cache openssl && mkdir -p /etc/nginx/certs
COPY --from=build /app/dist/web /usr/share/nginx/html
# A template: the image's entrypoint writes it to conf.d with TLS_HOSTNAME filled in.
COPY docker/nginx.conf /etc/nginx/templates/default.conf.template
COPY docker/web-tls.sh /docker-entrypoint.d/10-web-tls.sh
RUN chmod 755 /docker-entrypoint.d/10-web-tls.sh
EXPOSE 443
