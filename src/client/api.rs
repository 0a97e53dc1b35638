//! The typed calls of [`Client`]: one per REST action client mode uses, each answering in
//! the engine's shapes.

use serde_json::{Value, json};

use super::{
    Client, ClientError, ImportBody, JsonBody, QueryBody, SearchBody, error_chain, refusal,
};

impl Client {
    /// Creates a collection from a schema file's bytes; its name. A name already taken is a
    /// [`ClientError::Conflict`].
    pub fn create_collection(&self, schema: &[u8]) -> Result<String, ClientError> {
        let body: Value = serde_json::from_slice(schema)
            .map_err(|e| ClientError::Invalid(format!("schema file is not valid JSON: {e}")))?;
        let name = (body.get("collectionName").and_then(Value::as_str))
            .ok_or_else(|| {
                ClientError::Invalid("schema: \"collectionName\" (a string) is required".into())
            })?
            .to_string();
        if self.list_collections()?.contains(&name) {
            return Err(ClientError::Conflict(format!(
                "collection \"{name}\" already exists"
            )));
        }
        self.post("collections/create", &body)?;
        Ok(name)
    }

    /// Collection names.
    pub fn list_collections(&self) -> Result<Vec<String>, ClientError> {
        let v = self.post("collections/list", &json!({}))?;
        strings(&v, "collections/list")
    }

    /// `collections/describe`, as Milvus shapes it.
    pub fn describe_collection(&self, name: &str) -> Result<Value, ClientError> {
        self.post("collections/describe", &json!({"collectionName": name}))
    }

    /// Drops a collection.
    pub fn drop_collection(&self, name: &str) -> Result<(), ClientError> {
        self.describe_collection(name)?;
        self.post("collections/drop", &json!({"collectionName": name}))?;
        Ok(())
    }

    /// Creates a partition; a name already taken is a [`ClientError::Conflict`].
    pub fn create_partition(&self, collection: &str, partition: &str) -> Result<(), ClientError> {
        if self
            .list_partitions(collection)?
            .iter()
            .any(|p| p == partition)
        {
            return Err(ClientError::Conflict(format!(
                "partition \"{partition}\" already exists in collection \"{collection}\""
            )));
        }
        let body = json!({"collectionName": collection, "partitionName": partition});
        self.post("partitions/create", &body)?;
        Ok(())
    }

    /// Partition names.
    pub fn list_partitions(&self, collection: &str) -> Result<Vec<String>, ClientError> {
        let v = self.post("partitions/list", &json!({"collectionName": collection}))?;
        strings(&v, "partitions/list")
    }

    /// Visible rows of a collection, or of one of its partitions (`*/get_stats`).
    pub fn count(&self, collection: &str, partition: Option<&str>) -> Result<u64, ClientError> {
        let (route, body) = match partition {
            Some(p) => (
                "partitions/get_stats",
                json!({"collectionName": collection, "partitionName": p}),
            ),
            None => (
                "collections/get_stats",
                json!({"collectionName": collection}),
            ),
        };
        let v = self.post(route, &body)?;
        let n = v.get("rowCount").and_then(|n| match n {
            Value::String(s) => s.parse().ok(),
            n => n.as_u64(),
        });
        n.ok_or_else(|| ClientError::Protocol {
            path: route.into(),
            detail: format!("no rowCount in {v}"),
        })
    }

    /// Starts an import job of one unit; the job's id (its first task's id).
    pub fn import(&self, req: &ImportBody) -> Result<u64, ClientError> {
        let mut body = json!({"collectionName": req.collection, "files": [req.files]});
        if let Some(p) = &req.partition {
            body["partitionName"] = json!(p);
        }
        if !req.options.is_empty() {
            body["options"] = Value::Object(req.options.clone());
        }
        let path = "/v2/vectordb/jobs/import/create";
        let mut http = self
            .http
            .post(format!("{}{path}", self.base))
            .json_body(&body);
        if let Some(key) = &req.idempotency_key {
            http = http.header("Idempotency-Key", key);
        }
        let v = self.send(http, path)?;
        let id = v.get("jobId").and_then(|id| match id {
            Value::String(s) => s.parse().ok(),
            id => id.as_u64(),
        });
        id.ok_or_else(|| ClientError::Protocol {
            path: "jobs/import/create".into(),
            detail: format!("no jobId in {v}"),
        })
    }

    /// `jobs/import/describe`: state, progress, `importedRows`, `totalRows`, `details`.
    pub fn describe_job(&self, id: u64) -> Result<Value, ClientError> {
        self.post("jobs/import/describe", &json!({"jobId": id.to_string()}))
    }

    /// One task's JSON (`GET /v1/tasks/{id}`), as `vecload state --json` prints it.
    pub fn task(&self, id: u64) -> Result<Value, ClientError> {
        // The id is the only parameter: a refusal here means no such task.
        match self.get(&format!("/v1/tasks/{id}")) {
            Err(ClientError::Invalid(m) | ClientError::Failed { message: m, .. }) => {
                Err(ClientError::NotFound(m))
            }
            r => r,
        }
    }

    /// Tasks oldest first, the newest `limit` (`GET /v1/tasks`).
    pub fn tasks(
        &self,
        collection: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<Value>, ClientError> {
        let mut query = Vec::new();
        if let Some(c) = collection {
            query.push(format!("collection={c}"));
        }
        if let Some(n) = limit {
            query.push(format!("limit={n}"));
        }
        let path = format!("/v1/tasks?{}", query.join("&"));
        match self.get(&path)? {
            Value::Array(tasks) => Ok(tasks),
            v => Err(ClientError::Protocol {
                path,
                detail: format!("expected a list, found {v}"),
            }),
        }
    }

    /// Aborts the job holding task `id` (`jobs/import/abort`); the task afterwards. A task
    /// that already ended is a [`ClientError::Conflict`].
    pub fn cancel(&self, id: u64) -> Result<Value, ClientError> {
        self.task(id)?;
        match self.post("jobs/import/abort", &json!({"jobId": id.to_string()})) {
            Err(ClientError::Failed { message, .. }) => Err(ClientError::Conflict(message)),
            r => r,
        }?;
        self.task(id)
    }

    /// A task's rejected rows, JSON Lines (`GET /v1/tasks/{id}/rejects`).
    pub fn rejects(&self, id: u64) -> Result<String, ClientError> {
        let path = format!("/v1/tasks/{id}/rejects");
        let resp = self.transmit(self.http.get(format!("{}{path}", self.base)))?;
        let json = (resp.headers().get(reqwest::header::CONTENT_TYPE))
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let text = resp.text().map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            detail: error_chain(&e),
        })?;
        let refused = (json
            .then(|| serde_json::from_str::<Value>(&text).ok())
            .flatten())
        .filter(|v| {
            v.get("code")
                .and_then(Value::as_i64)
                .is_some_and(|c| c != 0)
        });
        if let Some(v) = refused {
            let code = v["code"].as_i64().unwrap_or_default();
            let message = v["message"].as_str().unwrap_or_default().to_string();
            return Err(match refusal(code, message) {
                ClientError::Invalid(m) => ClientError::NotFound(m),
                e => e,
            });
        }
        Ok(text)
    }

    /// Rows matching `filter` (`entities/query`).
    pub fn query(&self, req: &QueryBody) -> Result<Vec<Value>, ClientError> {
        let mut body = json!({"collectionName": req.collection, "filter": req.filter,
                              "limit": req.limit});
        if let Some(o) = &req.output {
            body["outputFields"] = json!(o);
        }
        if req.offset > 0 {
            body["offset"] = json!(req.offset);
        }
        if let Some(p) = &req.partitions {
            body["partitionNames"] = json!(p);
        }
        let v = self.post("entities/query", &body)?;
        rows(v, "entities/query")
    }

    /// Hits of one vector, best first, each `{"id", "distance", <fields>}` as the CLI prints
    /// them. `pk` is the collection's primary-key field (the server names the id by it).
    pub fn search(&self, req: &SearchBody, pk: &str) -> Result<Vec<Value>, ClientError> {
        let mut body =
            json!({"collectionName": req.collection, "data": [req.vector], "limit": req.limit});
        if let Some(f) = &req.field {
            body["annsField"] = json!(f);
        }
        if let Some(m) = &req.metric {
            body["searchParams"] = json!({"metricType": m});
        }
        if let Some(o) = &req.output {
            body["outputFields"] = json!(o);
        }
        if let Some(f) = &req.filter {
            body["filter"] = json!(f);
        }
        if let Some(p) = &req.partitions {
            body["partitionNames"] = json!(p);
        }
        let hits = rows(self.post("entities/search", &body)?, "entities/search")?;
        let wanted = |f: &str| {
            req.output
                .as_ref()
                .is_some_and(|o| o.iter().any(|x| x == f))
        };
        Ok(hits
            .into_iter()
            .map(|mut h| {
                let mut out = serde_json::Map::new();
                if let Some(m) = h.as_object_mut() {
                    let id = if wanted(pk) {
                        m.get(pk).cloned()
                    } else {
                        m.remove(pk)
                    };
                    out.insert("id".into(), id.unwrap_or(Value::Null));
                    out.insert(
                        "distance".into(),
                        m.remove("distance").unwrap_or(Value::Null),
                    );
                    out.extend(std::mem::take(m));
                }
                Value::Object(out)
            })
            .collect())
    }
}

fn strings(v: &Value, path: &str) -> Result<Vec<String>, ClientError> {
    serde_json::from_value(v.clone()).map_err(|e| ClientError::Protocol {
        path: path.into(),
        detail: format!("expected a list of names: {e}"),
    })
}

fn rows(v: Value, path: &str) -> Result<Vec<Value>, ClientError> {
    match v {
        Value::Array(rows) => Ok(rows),
        v => Err(ClientError::Protocol {
            path: path.into(),
            detail: format!("expected a list of rows, found {v}"),
        }),
    }
}
